"""Role predicates shared by every app. Object-level rules live in each app's own rules.py."""

import rules


@rules.predicate
def is_officer(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == "officer")


@rules.predicate
def is_platform_admin(user) -> bool:
    """A superuser: administers the whole platform, whatever their role."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


@rules.predicate
def is_evaluator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == "evaluator")


@rules.predicate
def is_provider(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == "provider"
        and getattr(user, "supplier_membership", None) is not None
    )


@rules.predicate
def is_partner(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == "partner" and user.authority_id)


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


rules.add_perm("commissioning.officer_home", is_officer)
rules.add_perm("commissioning.evaluator_home", is_evaluator)
rules.add_perm("commissioning.provider_home", is_provider)
rules.add_perm("commissioning.partner_home", is_partner)
rules.add_perm("commissioning.view_audit_trail", is_officer)


def officers_manage(app_label: str, *model_names: str, actions=("view", "add", "change")) -> None:
    """Grant officers the admin permissions of these models (the admin is their workplace)."""
    if not rules.perm_exists(app_label):
        rules.add_perm(app_label, is_officer)
    for model_name in model_names:
        for action in actions:
            rules.add_perm(f"{app_label}.{action}_{model_name}", is_officer)


officers_manage("commissioning", "authority", "area", "user", "fundingstream", "fundingallocation")
officers_manage("commissioning", "auditevent", actions=("view",))

# Reminders and generated documents. Officers tune reminder rules and read the reminder and document
# logs in the admin; they cannot add or delete them (rules are created by the sources, logs by tasks).
rules.add_perm("commissioning.request_audit_extract", is_officer)
officers_manage("commissioning", "reminderrule", actions=("view", "change"))
officers_manage("commissioning", "notification", "generateddocument", actions=("view",))

from django.conf import settings
from django.urls import reverse

NAVIGATION = {
    "officer": [
        ("Home", "officer_home"),
        ("Frameworks", "frameworks:officer_frameworks"),
        ("Competitions", "awards:officer_competitions"),
        ("Coverage", "coverage:index"),
        ("Contracts", "contracts:officer_register"),
        ("Grants", "contracts:grant_rounds"),
        ("Notices", "notices:officer_notices"),
        ("Returns", "monitoring:dashboard"),
        ("Admin", "admin:index"),
    ],
    "evaluator": [("Home", "evaluator_home"), ("Award evaluations", "awards:evaluator_assignments")],
    "provider": [
        ("Home", "provider_home"),
        ("Apply", "frameworks:opportunities"),
        ("Competitions", "awards:provider_competitions"),
        ("Your organisation", "suppliers:organisation"),
        ("Your contracts", "contracts:provider_contracts"),
        ("Grants", "contracts:provider_grants"),
        ("Returns", "monitoring:provider_returns"),
    ],
    "partner": [
        ("Home", "partner_home"),
        ("Shared frameworks", "approved_list:shared_frameworks"),
        ("Coverage", "coverage:index"),
    ],
    "administrator": [("Accounts", "admin:commissioning_user_changelist"), ("Admin", "admin:index")],
}
# Every signed-in user has these, whatever their role.
SHARED_NAVIGATION = [("Notifications", "notifications"), ("Documents", "documents")]


def portal(request):
    """Portal name, phase and the navigation for the signed-in user's role."""
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        for label, name in NAVIGATION.get(user.role, []) + SHARED_NAVIGATION:
            url = reverse(name)
            items.append({"label": label, "url": url, "current": request.path == url})
    return {
        "portal_name": settings.PORTAL_NAME,
        "portal_phase": settings.PORTAL_PHASE,
        "support_email": settings.SUPPORT_EMAIL,
        "navigation": items,
    }

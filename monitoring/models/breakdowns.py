"""Breakdowns: the categories a return's figures may be broken down by (age, gender, ethnicity, area...)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

# Breakdowns -------------------------------------------------------------------------------------------

NOT_KNOWN = ("not_known", "Not known")


@dataclass(frozen=True)
class Breakdown:
    """A way of splitting a count: its categories always include "Not known"."""

    key: str
    label: str
    categories: tuple[tuple[str, str], ...]


BREAKDOWNS: dict[str, Breakdown] = {
    b.key: b
    for b in [
        Breakdown(
            "referral_source",
            "Referral source",
            (
                # Seed 003's referral sources, and the SARC (seed 003) for sexual violence services.
                ("police", "Police"),
                ("self", "Self-referral"),
                ("marac", "MARAC"),
                ("statutory", "Statutory services (safeguarding and social care)"),
                ("local_authority", "Local authority (housing and other services)"),
                ("health", "Health services"),
                ("sarc", "Sexual assault referral centre (SARC)"),
                ("specialist", "Other specialist providers"),
                ("other", "Other"),
                NOT_KNOWN,
            ),
        ),
        Breakdown(
            "crime_type",
            "Crime type",
            (
                ("domestic_abuse", "Domestic abuse, including coercive control"),
                ("rape", "Rape"),
                ("sexual_assault", "Other sexual offences"),
                ("non_recent_csa", "Non-recent child sexual abuse"),
                ("stalking", "Stalking and harassment"),
                ("honour", "Honour-based abuse and forced marriage"),
                ("other", "Other"),
                NOT_KNOWN,
            ),
        ),
        Breakdown(
            "age_band",
            "Age band",
            (
                ("under_16", "Under 16"),
                ("16_17", "16 to 17"),
                ("18_24", "18 to 24"),
                ("25_34", "25 to 34"),
                ("35_44", "35 to 44"),
                ("45_54", "45 to 54"),
                ("55_64", "55 to 64"),
                ("65_plus", "65 and over"),
                NOT_KNOWN,
            ),
        ),
        Breakdown(
            "gender",
            "Gender",
            (
                ("woman", "Woman or girl"),
                ("man", "Man or boy"),
                ("non_binary", "Non-binary"),
                ("another", "Describes their gender another way"),
                ("not_said", "Prefers not to say"),
                NOT_KNOWN,
            ),
        ),
        Breakdown(
            "ethnicity",
            "Ethnicity",
            (
                ("asian", "Asian or Asian British"),
                ("black", "Black, Black British, Caribbean or African"),
                ("mixed", "Mixed or multiple ethnic groups"),
                ("white", "White"),
                ("other", "Other ethnic group"),
                ("not_said", "Prefers not to say"),
                NOT_KNOWN,
            ),
        ),
        Breakdown(
            "sexual_orientation",
            "Sexual orientation",
            (
                ("heterosexual", "Heterosexual or straight"),
                ("gay_lesbian", "Gay or lesbian"),
                ("bisexual", "Bisexual"),
                ("other", "Another sexual orientation"),
                ("not_said", "Prefers not to say"),
                NOT_KNOWN,
            ),
        ),
        Breakdown(
            "disability",
            "Disability",
            (
                ("disabled", "Disabled"),
                ("not_disabled", "Not disabled"),
                ("not_said", "Prefers not to say"),
                NOT_KNOWN,
            ),
        ),
        # The areas are the contract's own (or every area when it names none), then "Not known".
        Breakdown("area", "Area", (NOT_KNOWN,)),
    ]
}
BREAKDOWN_CHOICES = [(b.key, b.label) for b in BREAKDOWNS.values()]


def validate_breakdown_keys(value) -> None:
    if not isinstance(value, list) or any(key not in BREAKDOWNS for key in value):
        raise ValidationError("Choose breakdowns from: " + ", ".join(BREAKDOWNS), code="invalid_breakdown")

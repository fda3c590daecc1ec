"""Demo supplier organisations for the two demo provider users."""

from __future__ import annotations

from django.db import transaction

from commissioning.models import User

from .models import Supplier, SupplierMembership

DEMO_SUPPLIERS = [
    {
        "legal_name": "Brindley Domestic Abuse Support",
        "kind": Supplier.Kind.CHARITY,
        "charity_number": "1187432",
        "address_line_1": "14 Newhall Street",
        "town": "Birmingham",
        "postcode": "B3 3PB",
        "contact_name": "Sophie Bennett",
        "contact_email": "provider@demo.test",
        "contact_phone": "0121 496 0732",
        "is_vcse": True,
        "is_sme": True,
        "user": "provider@demo.test",
    },
    {
        "legal_name": "Arden Sexual Violence Advocacy CIC",
        "kind": Supplier.Kind.CIC,
        "company_number": "12894410",
        "address_line_1": "3 Priory Place",
        "town": "Coventry",
        "postcode": "CV1 5SQ",
        "contact_name": "Imran Malik",
        "contact_email": "provider2@demo.test",
        "contact_phone": "024 7696 0418",
        "is_vcse": True,
        "is_sme": True,
        "user": "provider2@demo.test",
    },
]


@transaction.atomic
def load_suppliers(users: dict[str, User]) -> dict[str, Supplier]:
    suppliers = {}
    for spec in DEMO_SUPPLIERS:
        values = {key: value for key, value in spec.items() if key not in {"legal_name", "user"}}
        supplier, _ = Supplier.objects.update_or_create(legal_name=spec["legal_name"], defaults=values)
        SupplierMembership.objects.update_or_create(
            user=users[spec["user"]], defaults={"supplier": supplier, "is_admin": True}
        )
        suppliers[spec["legal_name"]] = supplier
    return suppliers


def load(ctx: dict) -> None:
    ctx["suppliers"] = load_suppliers(ctx["users"])

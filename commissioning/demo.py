"""Demo data for the shared core: authorities, areas and the five demo users.

Every loader here is idempotent: running it twice leaves one copy of everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .models import Area, Authority, User


def minimal_pdf(note: str = "") -> bytes:
    """A real one-page PDF (the upload gate opens every PDF), with `note` as a comment inside it."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
    ]
    body = b"%PDF-1.4\n" + (f"%{note}\n".encode() if note else b"")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj".encode() + content + b"endobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    body += f"trailer<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return body


DEMO_PASSWORD = "commissioning-demo"  # noqa: S105 - demo only; the loader refuses it when DEBUG is off

WEST_MIDLANDS_AREAS = [
    "Birmingham",
    "Coventry",
    "Dudley",
    "Sandwell",
    "Solihull",
    "Walsall",
    "Wolverhampton",
]

AUTHORITIES = [
    ("West Midlands Office of the Police and Crime Commissioner", Authority.Kind.OPCC, True),
    ("Coventry City Council", Authority.Kind.LOCAL_AUTHORITY, False),
    ("Birmingham City Council", Authority.Kind.LOCAL_AUTHORITY, False),
    ("NHS Birmingham and Solihull Integrated Care Board", Authority.Kind.ICB, False),
    (
        "Avon and Somerset Office of the Police and Crime Commissioner",
        Authority.Kind.OTHER_PCC,
        False,
    ),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str
    job_title: str
    authority: str = ""
    is_staff: bool = False


DEMO_USERS = [
    DemoUser(
        "officer@demo.test",
        "Amara Okafor",
        User.Role.OFFICER,
        "Commissioning and Policy Officer",
        AUTHORITIES[0][0],
        is_staff=True,
    ),
    DemoUser(
        "evaluator@demo.test",
        "Daniel Hughes",
        User.Role.EVALUATOR,
        "Independent evaluation panel member",
        AUTHORITIES[0][0],
    ),
    DemoUser("provider@demo.test", "Sophie Bennett", User.Role.PROVIDER, "Services Manager"),
    DemoUser("provider2@demo.test", "Imran Malik", User.Role.PROVIDER, "Chief Executive"),
    DemoUser(
        "partner@demo.test",
        "Grace Whitfield",
        User.Role.PARTNER,
        "Domestic Abuse Commissioning Lead",
        AUTHORITIES[1][0],
    ),
]


@transaction.atomic
def load_core() -> dict[str, User]:
    for name in WEST_MIDLANDS_AREAS:
        Area.objects.update_or_create(code=name.lower(), defaults={"name": name, "region": "West Midlands"})
    authorities = {}
    for name, kind, lead in AUTHORITIES:
        authorities[name], _ = Authority.objects.update_or_create(
            name=name, defaults={"kind": kind, "is_lead_commissioner": lead}
        )
    users = {}
    for spec in DEMO_USERS:
        user, created = User.objects.update_or_create(
            email=spec.email,
            defaults={
                "full_name": spec.full_name,
                "role": spec.role,
                "job_title": spec.job_title,
                "authority": authorities.get(spec.authority),
                "is_staff": spec.is_staff,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        users[spec.email] = user
    return users


def load(ctx: dict) -> None:
    ctx["users"] = load_core()
    ctx["areas"] = {area.name: area for area in Area.objects.all()}
    ctx["authorities"] = {authority.name: authority for authority in Authority.objects.all()}

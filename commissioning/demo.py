"""Demo data for the shared core: authorities, areas and the demo users, with two platform
administrators, one of whom approved the officers' accounts (as the portal requires).

Every loader here is idempotent: running it twice leaves one copy of everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import Area, Authority, RoleRequest, User


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
    ("West Yorkshire Office of the Police and Crime Commissioner", Authority.Kind.OTHER_PCC, False),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str
    job_title: str
    authority: str = ""
    is_staff: bool = False


ADMINISTRATORS = [
    DemoUser("admin@demo.test", "Ruth Adeyemi", User.Role.ADMINISTRATOR, "Portal administrator", is_staff=True),
    DemoUser("admin2@demo.test", "Tom Kowalski", User.Role.ADMINISTRATOR, "Portal administrator", is_staff=True),
]
# The administrator who asked for the demo's officer accounts, and the second one who approved them.
REQUESTER, APPROVER = ADMINISTRATORS[0].email, ADMINISTRATORS[1].email

DEMO_USERS = [
    *ADMINISTRATORS,
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
    # Officers of other authorities (issue 20): each sees its own authority's contracts, envelope and
    # returns, and nothing of West Midlands; Coventry calls off from the West Midlands framework.
    DemoUser(
        "officer@asopcc.demo.test",
        "Helen Marsh",
        User.Role.OFFICER,
        "Victims Services Commissioning Manager",
        AUTHORITIES[4][0],
        is_staff=True,
    ),
    # A second officer of each: a contract entered on the register goes live on two officers' word.
    DemoUser(
        "officer2@asopcc.demo.test",
        "Owen Pritchard",
        User.Role.OFFICER,
        "Commissioning Officer",
        AUTHORITIES[4][0],
        is_staff=True,
    ),
    DemoUser(
        "officer2@wyopcc.demo.test",
        "Farah Iqbal",
        User.Role.OFFICER,
        "Commissioning Officer",
        AUTHORITIES[5][0],
        is_staff=True,
    ),
    DemoUser(
        "officer@coventry.demo.test",
        "Marcus Reid",
        User.Role.OFFICER,
        "Domestic Abuse and Sexual Violence Commissioner",
        AUTHORITIES[1][0],
        is_staff=True,
    ),
    DemoUser(
        "officer@wyopcc.demo.test",
        "Joanne Pickles",
        User.Role.OFFICER,
        "Commissioning and Partnerships Officer",
        AUTHORITIES[5][0],
        is_staff=True,
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
        approval = (
            demo_approval(users[APPROVER], requested_by=users[REQUESTER]) if spec.role == User.Role.OFFICER else {}
        )
        users[spec.email] = demo_user(
            spec.email,
            full_name=spec.full_name,
            role=spec.role,
            job_title=spec.job_title,
            authority=authorities.get(spec.authority),
            is_staff=spec.is_staff,
            **approval,
        )
    return users


def demo_approval(approver: User | None = None, *, requested_by: User | None = None) -> dict:
    """Fields of a role approved by a second administrator (`approver`), or, with none, set up from the
    command line as the demo's administrators are. `requested_by` leaves an approved request behind."""
    if approver is None:
        approver = User.objects.filter(email=APPROVER).first()
        requested_by = requested_by or User.objects.filter(email=REQUESTER).first()
    return {"role_approved_at": timezone.now(), "role_approved_by": approver, "_requested_by": requested_by}


def demo_user(email: str, *, _requested_by: User | None = None, **fields) -> User:
    """Create or refresh one demo user with the demo password (idempotent)."""
    fields.setdefault("role_approved_at", timezone.now() if fields.get("role") == User.Role.ADMINISTRATOR else None)
    user, _ = User.objects.update_or_create(email=email, defaults={**fields, "is_active": True})
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    if _requested_by is not None and not user.role_requests.exists():
        RoleRequest.objects.create(
            user=user,
            role=user.role,
            authority=user.authority,
            is_new_account=True,
            requested_by=_requested_by,
            status=RoleRequest.Status.APPROVED,
            decided_by=fields.get("role_approved_by"),
            decided_at=timezone.now(),
        )
    return user


def load(ctx: dict) -> None:
    ctx["users"] = load_core()
    ctx["areas"] = {area.name: area for area in Area.objects.all()}
    ctx["authorities"] = {authority.name: authority for authority in Authority.objects.all()}

"""Sealed tenders at rest: a competition's data key, and model fields that store only ciphertext.

A sealed field encrypts in `pre_save` with the data key of the row's competition (found through
`competition_path`, for example "tender.competition_id") and stores `sealed:v1:<competition id>:...`;
reading it back opens it with that competition's key. The database, its backups and the admin's
raw values therefore never hold a bidder's price or words in clear. Who may *see* the opened values
is decided where they are shown: the bidder through their own pages, officers and evaluators only
after the two-officer opening (selectors), and the admin shows no sealed field at all.

Files are encrypted the same way before they reach storage (`seal_file`, `open_file`).

Reading is gated too (`SealedReadingMiddleware` sets who reads for each request): in a request, a sealed
value opens only if its competition has been opened by two officers (officers, administrators, anyone
not a bidder) or, for a bidder's users, if their organisation responded to that competition (its own
response is the only one its scoped pages load). Otherwise the field holds a `SealedValue` placeholder
that keeps the ciphertext, so saving the row writes the bid back unchanged. Outside a request (services
called by tasks, management commands, tests) values open as before; `dumpdata` and other serializers get
ciphertext only (`value_from_object`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from commissioning import sealing

_keys: dict[tuple[int, str], bytes] = {}


def _competition_model():
    from django.apps import apps

    return apps.get_model("contracts", "Competition")


def fingerprint(key: bytes) -> str:
    """A short, non-secret tag of a data key, kept in each sealed value to find the right cached key."""
    return hashlib.sha256(b"fingerprint:" + key).hexdigest()[:12]


def _load_key(competition_id: int, *, create: bool) -> bytes:
    Competition = _competition_model()
    row = Competition.objects.filter(pk=competition_id).values_list("sealing_key_id", "sealing_key").first()
    if row is None:
        raise sealing.SealingError(f"No competition {competition_id} to seal for")
    key_id, wrapped = row
    if not wrapped:
        if not create:
            raise sealing.SealingError(f"Competition {competition_id} has no data key")
        key, key_id, wrapped = sealing.new_data_key()
        # Only the first writer's key is kept; everyone reads back the stored one.
        Competition.objects.filter(pk=competition_id, sealing_key="").update(sealing_key_id=key_id, sealing_key=wrapped)
        key_id, wrapped = Competition.objects.filter(pk=competition_id).values_list("sealing_key_id", "sealing_key")[0]
    key = sealing.unwrap(key_id, wrapped)
    _keys[(competition_id, fingerprint(key))] = key
    return key


def data_key(competition_id: int, *, create: bool = True) -> bytes:
    """The competition's data key as stored now (made on first use), unwrapped. Writers always read the
    stored key, so nothing is ever sealed with a key the database does not hold."""
    return _load_key(competition_id, create=create)


def _key_for(label: str) -> bytes:
    competition, _, tag = label.partition(".")
    key = _keys.get((int(competition), tag))
    if key is None:
        key = _load_key(int(competition), create=False)
        if fingerprint(key) != tag:
            raise sealing.SealingError(f"Competition {competition}'s data key is not the one this was sealed with")
    return key


def _label(competition_id: int, key: bytes) -> str:
    return f"{competition_id}.{fingerprint(key)}"


def _seal(competition_id: int, text: str, context: str) -> str:
    key = data_key(competition_id)
    return sealing.seal_text(key, text, context=context, label=_label(competition_id, key))


def _open(token: str, context: str) -> str:
    return sealing.open_text(_key_for(sealing.label_of(token)), token, context=context)


def _follow(instance: models.Model, path: str) -> int:
    value: Any = instance
    for part in path.split("."):
        value = getattr(value, part)
    return value


# --- Who reads ----------------------------------------------------------------------------------------


class SealedValue(str):
    """What a sealed field holds for a reader who may not open it: a placeholder that keeps the ciphertext
    (`token`), so that saving the row never overwrites the bid."""

    PLACEHOLDER = "Sealed until the opening"

    def __new__(cls, token: str):
        value = super().__new__(cls, cls.PLACEHOLDER)
        value.token = token
        return value


@dataclass
class _Reader:
    """The reader of one request. Both sets load once, on the first sealed value read, so a page's query
    count does not grow with the rows it shows."""

    user: Any
    decided: dict[int, bool] = field(default_factory=dict)
    unopened: set[int] | None = None
    known_up_to: int = 0
    own: set[int] | None = None

    @property
    def is_bidder(self) -> bool:
        return getattr(self.user, "role", None) == "provider"

    def _supplier_id(self) -> int | None:
        membership = getattr(self.user, "supplier_membership", None) if self.user.is_authenticated else None
        return membership.supplier_id if membership is not None else None

    def _opened(self, competition_id: int) -> bool:
        Competition = _competition_model()
        if self.unopened is None:
            self.unopened = set(Competition.objects.filter(opened_at__isnull=True).values_list("pk", flat=True))
            self.known_up_to = Competition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if competition_id > self.known_up_to:
            return Competition.objects.filter(pk=competition_id, opened_at__isnull=False).exists()
        return competition_id not in self.unopened

    def _responded(self, competition_id: int) -> bool:
        supplier_id = self._supplier_id()
        if supplier_id is None:
            return False
        Tender = _competition_model()._meta.apps.get_model("contracts", "Tender")
        if self.own is None:
            self.own = set(Tender.objects.filter(supplier_id=supplier_id).values_list("competition_id", flat=True))
        if competition_id in self.own:
            return True
        return Tender.objects.filter(supplier_id=supplier_id, competition_id=competition_id).exists()

    def may_open(self, competition_id: int) -> bool:
        if competition_id not in self.decided:
            allowed = self._responded(competition_id) if self.is_bidder else self._opened(competition_id)
            if not allowed:
                return False  # not remembered: a response started or an opening confirmed later in the request
            self.decided[competition_id] = True
        return self.decided[competition_id]


_reader: ContextVar[_Reader | None] = ContextVar("sealed_reader", default=None)


@contextmanager
def reading_as(user):
    """Sealed values read inside open only as `user` may see them (the middleware wraps every request)."""
    token = _reader.set(_Reader(user))
    try:
        yield
    finally:
        _reader.reset(token)


def opened_now(competition_id: int) -> None:
    """The competition has just been opened: staff reading in this request may now open its values."""
    reader = _reader.get()
    if reader is not None and not reader.is_bidder:
        reader.decided[competition_id] = True


def may_open(token: str) -> bool:
    reader = _reader.get()
    if reader is None:
        return True
    return reader.may_open(int(sealing.label_of(token).partition(".")[0]))


class SealedMixin:
    """Stores ciphertext; the Python value is the clear value. Written only through a model save."""

    def __init__(self, *args, competition_path: str = "competition_id", **kwargs):
        self.competition_path = competition_path
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["competition_path"] = self.competition_path
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "TextField"

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def to_clear_text(self, value) -> str:
        return str(value)

    def from_clear_text(self, text: str):
        return text

    def _sealed(self, model_instance, value):
        if isinstance(value, SealedValue):
            return value.token  # read as sealed: written back unchanged
        if value is None or sealing.is_sealed(value):
            return value
        return _seal(_follow(model_instance, self.competition_path), self.to_clear_text(value), self.context())

    def pre_save(self, model_instance, add):
        return self._sealed(model_instance, getattr(model_instance, self.attname))

    def value_from_object(self, obj):
        """Serializers (dumpdata) and model_to_dict get ciphertext, never the clear value."""
        return self._sealed(obj, getattr(obj, self.attname))

    def value_to_string(self, obj) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else value

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        if sealing.is_sealed(value):
            if not may_open(value):
                return SealedValue(value)
            return self.from_clear_text(_open(value, self.context()))
        return self.from_clear_text(value)  # written before sealing existed; the migration seals it

    def to_python(self, value):
        if isinstance(value, SealedValue) or sealing.is_sealed(value):
            return value
        return super().to_python(value)

    def get_prep_value(self, value):
        if isinstance(value, SealedValue):
            return value.token
        if value is None or sealing.is_sealed(value):
            return value
        return super().get_prep_value(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        """Ciphertext goes to the database as it is, never through a date, decimal or boolean adapter."""
        if value is None or sealing.is_sealed(value):
            return value
        return super().get_db_prep_value(value, connection, prepared)

    def get_db_prep_save(self, value, connection):
        if value is not None and not sealing.is_sealed(value):
            raise sealing.SealingError(f"{self.context()} is sealed: write it through the model's save()")
        return value


class SealedTextField(SealedMixin, models.TextField):
    pass


class SealedDecimalField(SealedMixin, models.DecimalField):
    def to_clear_text(self, value) -> str:
        return str(self.to_python(value))

    def from_clear_text(self, text: str) -> Decimal:
        return self.to_python(text)


class SealedIntegerField(SealedMixin, models.TextField):
    """A whole number (a file's size, a linked supplier's id) kept sealed."""

    def to_clear_text(self, value) -> str:
        return str(int(value))

    def from_clear_text(self, text: str) -> int | None:
        return int(text) if text not in ("", None) else None

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, SealedValue) or sealing.is_sealed(value):
            return value
        return int(value)


class SealedDateField(SealedMixin, models.DateField):
    def to_clear_text(self, value) -> str:
        return self.to_python(value).isoformat()

    def from_clear_text(self, text: str):
        return self.to_python(text)


class SealedBooleanField(SealedMixin, models.BooleanField):
    """Yes, no or (with null=True) not answered, kept sealed."""

    def to_clear_text(self, value) -> str:
        return "true" if self.to_python(value) else "false"

    def from_clear_text(self, text: str) -> bool:
        return self.to_python(text in ("true", "True", "1", "t"))


class SealedJSONField(SealedMixin, models.TextField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def to_clear_text(self, value) -> str:
        return json.dumps(value, cls=DjangoJSONEncoder)

    def from_clear_text(self, text: str):
        return json.loads(text) if text else {}

    def to_python(self, value):
        if isinstance(value, str) and not isinstance(value, SealedValue) and not sealing.is_sealed(value):
            return self.from_clear_text(value)
        return value


# --- Files --------------------------------------------------------------------------------------------


FILE_CONTEXT = "contracts.tenderdocument.file"
FILE_BLOCK = 64 * 1024  # files are padded to whole blocks, so a stored size does not identify a file


def seal_file(competition_id: int, content: bytes) -> ContentFile:
    """The encrypted bytes to hand to storage in place of the upload: the file's length (8 bytes), the
    file and zero padding to a whole number of blocks, encrypted together."""
    key = data_key(competition_id)
    padded = -(-(len(content) + 8) // FILE_BLOCK) * FILE_BLOCK
    plain = len(content).to_bytes(8, "big") + content + bytes(padded - len(content) - 8)
    blob = sealing.encrypt(key, plain, context=FILE_CONTEXT + ".padded")
    return ContentFile(b"SEALED2\n" + _label(competition_id, key).encode() + b"\n" + blob)


def open_file(content: bytes) -> bytes:
    """The clear bytes of a stored tender file (files stored before sealing are returned as they are;
    files sealed before padding, "SEALED1", still open)."""
    if content.startswith(b"SEALED2\n"):
        _, label, blob = content.split(b"\n", 2)
        plain = sealing.decrypt(_key_for(label.decode()), blob, context=FILE_CONTEXT + ".padded")
        return plain[8 : 8 + int.from_bytes(plain[:8], "big")]
    if not content.startswith(b"SEALED1\n"):
        return content
    _, label, blob = content.split(b"\n", 2)
    return sealing.decrypt(_key_for(label.decode()), blob, context=FILE_CONTEXT)


def rotate_data_keys() -> int:
    """Rewrap every competition's data key with the current key-encryption key, so that an older one
    can be retired from TENDER_SEALING_KEY. The data keys, and so every sealed value, stay the same.
    Returns how many were rewrapped."""
    Competition = _competition_model()
    current = sealing.current_key_id()
    rotated = 0
    for pk, key_id, wrapped in (
        Competition.objects.exclude(sealing_key="")
        .exclude(sealing_key_id=current)
        .values_list("pk", "sealing_key_id", "sealing_key")
    ):
        new_id, new_wrapped = sealing.rewrap(key_id, wrapped)
        Competition.objects.filter(pk=pk, sealing_key=wrapped).update(sealing_key_id=new_id, sealing_key=new_wrapped)
        rotated += 1
    return rotated


def sealed_for(competition) -> str:
    """What e-mails naming a bidder of this competition are sealed for (commissioning.email.unseal)."""
    return f"competition:{competition.pk}"


# --- Sealed references in the audit trail ---------------------------------------------------------------

AUDIT_CONTEXT = "commissioning.auditevent.sealed"
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def sealed_reference(tender) -> str:
    """ "S-7F3KQ2": stable for a response, meaningless without the portal's secret key. Pages, the audit
    trail and e-mails name a response by it until the opening."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"sealed-tender:{tender.pk}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    letters = []
    for _ in range(6):
        number, index = divmod(number, len(_REFERENCE_ALPHABET))
        letters.append(_REFERENCE_ALPHABET[index])
    return "S-" + "".join(letters)


def record_tender_event(
    action: str, *, tender, by, data: dict[str, Any] | None = None, sealed: dict[str, Any] | None = None
):
    """An audit event about a bidder's response. Until the opening it names neither the bidder nor the
    account: the actor, the client's address and `sealed` (consortium changes, file hashes) are kept encrypted with the
    competition's data key inside the event, shown once two officers have opened the responses."""
    from commissioning.audit import client_ip, record

    competition = tender.competition
    if competition.opened_at is not None:
        return record(action, by=by, obj=tender, data={**(data or {}), **(sealed or {})})
    reference = sealed_reference(tender)
    secret = {
        "actor_id": by.pk,
        "actor_email": by.email,
        "organisation": by.organisation_name,
        "response": tender.reference,
        "supplier": tender.supplier.legal_name,
        "ip_address": client_ip(None),
        **(sealed or {}),
    }
    token = _seal(competition.pk, json.dumps(secret, cls=DjangoJSONEncoder), AUDIT_CONTEXT)
    return record(
        action,
        by=None,
        obj=tender,
        object_repr=f"Sealed response {reference}",
        actor_email="",
        data={**(data or {}), "sealed_response": reference, "sealed": token},
        hide_client_address=True,
    )


def _sealed_competition_of(event) -> int | None:
    """The competition of an event about a sealed response (None: the event is not sealed)."""
    token = event.data.get("sealed") if isinstance(event.data, dict) else None
    if not sealing.is_sealed(token):
        return None
    return int(sealing.label_of(token).partition(".")[0])


def prepare_events(events) -> None:
    """Which of the events' competitions are opened, read in one query for them all (`reveal_event`)."""
    sealed = [(event, competition_id) for event in events if (competition_id := _sealed_competition_of(event))]
    if not sealed:
        return
    ids = {competition_id for _, competition_id in sealed}
    opened = set(_competition_model().objects.filter(pk__in=ids, opened_at__isnull=False).values_list("pk", flat=True))
    for event, competition_id in sealed:
        event.competition_opened = competition_id in opened


def reveal_event(event):
    """How the audit trail shows an event about a sealed response: by its sealed reference until the
    opening, then who it was (the mapping revealed)."""
    from commissioning.audit import Shown

    competition_id = _sealed_competition_of(event)
    if competition_id is None:
        return None
    if getattr(event, "competition_opened", None) is None:  # not read with its page by `prepare_events`
        prepare_events([event])
    if not event.competition_opened:
        return Shown(actor="A bidder (sealed until the opening)", organisation="", subject=event.object_repr)
    token = event.data["sealed"]
    secret = json.loads(_open(token, AUDIT_CONTEXT))
    return Shown(
        actor=secret["actor_email"],
        organisation=secret["organisation"],
        subject=f"{event.object_repr}: {secret['response']} from {secret['supplier']}",
    )

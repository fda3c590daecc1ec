"""Frameworks, lots, application windows, selection questions, applications, evaluation,
moderation and appointments (the approved supplier list)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commissioning.models import Area, Authority
from suppliers.models import AccreditationScheme, Supplier

from .evaluation import EvaluationAssignmentBase, ModeratedScoreBase, ScoreBase


class Framework(models.Model):
    class LegalRegime(models.TextChoices):
        PA2023_LIGHT_TOUCH = "pa2023_light_touch", "Procurement Act 2023, light-touch contracts"
        PA2023 = "pa2023", "Procurement Act 2023"
        PCR2015_LIGHT_TOUCH = "pcr2015_light_touch", "Public Contracts Regulations 2015, light-touch regime"
        GRANT = "grant", "Grant funding (not a procurement)"

    title = models.CharField(max_length=250)
    reference = models.CharField(max_length=50, unique=True)
    description = models.TextField(blank=True)
    lead_authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="led_frameworks")
    partner_authorities = models.ManyToManyField(
        Authority,
        blank=True,
        related_name="shared_frameworks",
        help_text="Named contracting authorities entitled to see the approved list and call off from it.",
    )
    term_start = models.DateField()
    term_end = models.DateField()
    is_light_touch = models.BooleanField(default=True)
    legal_regime = models.CharField(max_length=30, choices=LegalRegime.choices, default=LegalRegime.PA2023_LIGHT_TOUCH)
    is_open_framework = models.BooleanField(
        "open framework (s.49)",
        default=False,
        help_text="A scheme of successive framework awards that admits new suppliers at each re-award.",
    )
    reaward_months = models.PositiveSmallIntegerField(
        "re-award at least every (months)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text="The scheme's own policy (seed 000: at least once every 12 months), within the Act's limits.",
    )
    estimated_value = models.DecimalField(
        "estimated value of call-offs (excluding VAT)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Over the scheme's term; decides which notices the Procurement Act requires.",
    )
    cpv_code = models.CharField(
        "CPV code",
        max_length=10,
        default="85320000",
        help_text="Common Procurement Vocabulary code of the services (85320000: social services).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gt=models.F("term_start")),
                name="framework_term_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"


class FrameworkAward(models.Model):
    """One award of a framework agreement. A closed framework has one; an open framework (s.49 of the
    Procurement Act 2023) is a scheme of successive awards, each ending the one before, keeping its
    appointees and admitting the suppliers of the window that led to it. Each award has its own notices."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="awards")
    sequence = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    window = models.ForeignKey(
        "ApplicationWindow",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="framework_awards",
        help_text="The application window whose successful applicants this award admitted.",
    )
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="Moved to the day before the next award starts when the scheme is re-awarded.")
    awarded_at = models.DateTimeField(default=timezone.now)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["framework", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "sequence"], name="one_framework_award_per_sequence"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="framework_award_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework.reference} award {self.sequence}"

    @property
    def reference(self) -> str:
        return f"{self.framework.reference}-A{self.sequence}"


def lot_specification_path(instance, filename: str) -> str:
    return f"frameworks/{instance.framework_id}/lots/{filename}"


class LotQuerySet(models.QuerySet):
    def published(self):
        """Lots partners, applicants and the public see: a lot added while a window is open stays
        unpublished until an officer publishes it."""
        return self.filter(is_published=True)


class Lot(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    specification = models.FileField("service specification", upload_to=lot_specification_path, blank=True)
    min_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    minimum_score = models.DecimalField(
        "minimum score to pass (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("50.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Weighted score, as a percentage of the marks available, needed for this lot.",
    )
    is_published = models.BooleanField(
        "published",
        default=True,
        help_text="Partners, applicants and the public see the lot only once it is published.",
    )

    objects = LotQuerySet.as_manager()

    class Meta:
        ordering = ["framework", "number"]
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="unique_lot_number")]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.title}"


class WindowQuerySet(models.QuerySet):
    def open_at(self, when):
        return self.filter(opens_at__lte=when, closes_at__gt=when)


class ApplicationWindow(models.Model):
    """A period in which suppliers may apply. Its state is derived from its dates, never stored."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="windows")
    title = models.CharField(max_length=200, help_text="For example: Initial appointment 2025.")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField(help_text="Applications are refused at or after this moment.")

    objects = WindowQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="window_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework.reference} – {self.title}"

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.opens_at:
            return "scheduled"
        if now < self.closes_at:
            return "open"
        return "closed"

    def is_open(self, now=None) -> bool:
        return self.state(now) == "open"


# Questions for every lot first, on SQLite (empty sorts first) and PostgreSQL (empty sorts last) alike.
QUESTION_ORDER = (F("lot__number").asc(nulls_first=True), "order", "pk")


class SelectionQuestion(models.Model):
    class Kind(models.TextChoices):
        PASS_FAIL = "pass_fail", "Pass or fail"
        SCORED = "scored", "Scored"

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="questions")
    lot = models.ForeignKey(
        Lot,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="questions",
        help_text="Leave empty for a question every applicant answers.",
    )
    section = models.CharField(max_length=100, help_text="The task-list section it appears in.")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField("question")
    guidance = models.TextField("guidance for applicants", blank=True)
    evaluator_guidance = models.TextField("guidance for evaluators", blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SCORED)
    weight = models.PositiveSmallIntegerField(default=0, help_text="Weight of a scored question.")
    max_score = models.PositiveSmallIntegerField(default=4, help_text="Top of the scoring scale (0 to this).")
    scale_descriptors = models.TextField(
        blank=True, help_text="One line per score, e.g. '0 – No response', '4 – Excellent'."
    )
    word_limit = models.PositiveIntegerField(null=True, blank=True)
    requires_upload = models.BooleanField(default=False)
    required_accreditation = models.CharField(
        max_length=20,
        choices=[c for c in AccreditationScheme.choices if c[0] != "equivalent"],
        blank=True,
        help_text="Applicants must hold a current accreditation of this scheme, or an equivalent.",
    )

    class Meta:
        ordering = ["framework", *QUESTION_ORDER]

    def __str__(self) -> str:
        scope = f"Lot {self.lot.number}" if self.lot_id else "All lots"
        return f"{scope} – {self.section} {self.order}: {self.text[:60]}"

    @property
    def is_scored(self) -> bool:
        return self.kind == self.Kind.SCORED


# An application still to decide (submitted, clarification requested, evaluated): listed first for officers.
OPEN_APPLICATION_STATUSES = ("submitted", "clarification", "evaluated")


def application_still_open() -> models.Case:
    """0 for an application still to decide, 1 otherwise: the first key of the officers' list and of the
    index that serves it (the same expression, so PostgreSQL reads the list in the index's order)."""
    return models.Case(
        models.When(status__in=OPEN_APPLICATION_STATUSES, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )


# Submitted, or evaluated and waiting for the officers' decision (the officers' queue of applications).
APPLICATIONS_TO_PROGRESS = ("submitted", "evaluated")


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        CLARIFICATION = "clarification", "Clarification requested"
        EVALUATED = "evaluated", "Evaluated"
        DECIDED = "decided", "Decided"
        WITHDRAWN = "withdrawn", "Withdrawn"

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="applications")
    window = models.ForeignKey(ApplicationWindow, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    is_consortium = models.BooleanField(null=True, help_text="Applying as the lead of a consortium.")
    consent_share_with_partners = models.BooleanField(null=True)
    consent_shared_at = models.DateTimeField(
        "consent to share given at", null=True, blank=True, help_text="When the applicant agreed to share."
    )
    consent_wording = models.TextField(
        blank=True, help_text="The words the applicant agreed to, naming the partner authorities at the time."
    )
    consent_publish = models.BooleanField(null=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receipt = models.JSONField(default=dict, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "window"], name="one_application_per_supplier_window")
        ]
        indexes = [
            # A column chosen to sort by "submitted", newest first (keyset pagination).
            models.Index(fields=["-submitted_at", "-id"], name="application_newest_idx"),
            # The officers' list as it opens: still to decide first, then newest submitted first; read in
            # the index's order until a page is full, however many applications there are.
            models.Index(
                application_still_open(),
                models.F("submitted_at").desc(),
                models.F("id").desc(),
                name="application_open_first_idx",
                condition=models.Q(submitted_at__isnull=False),
            ),
            # The applications an officer still has to progress (their home page's queue): few among many.
            models.Index(
                fields=["submitted_at", "id"],
                name="application_to_progress_idx",
                condition=models.Q(status__in=APPLICATIONS_TO_PROGRESS),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} – {self.window}"

    @property
    def framework(self) -> Framework:
        return self.window.framework


class ApplicationLot(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", "Awaiting decision"
        APPOINTED = "appointed", "Appointed"
        UNSUCCESSFUL = "unsuccessful", "Unsuccessful"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="lot_choices")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="application_choices")
    areas = models.ManyToManyField(Area, related_name="+")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["lot__number"]
        constraints = [models.UniqueConstraint(fields=["application", "lot"], name="one_choice_per_lot")]

    def __str__(self) -> str:
        return f"{self.application.supplier} – {self.lot}"


class ConsortiumMember(models.Model):
    """A member of the consortium the applicant leads."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="consortium_members")
    name = models.CharField("organisation name", max_length=200)
    registration_number = models.CharField("charity or company number", max_length=20, blank=True)
    role = models.CharField(max_length=200, help_text="What the member delivers in the consortium.")
    supplier = models.ForeignKey(Supplier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


def answer_upload_path(instance, filename: str) -> str:
    return f"applications/{instance.application_id}/{filename}"


class Answer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SelectionQuestion, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)
    upload = models.FileField(upload_to=answer_upload_path, blank=True)
    upload_name = models.CharField(max_length=255, blank=True)
    upload_sha256 = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"Answer to {self.question_id} in {self.application_id}"


class Clarification(models.Model):
    """An officer's question to an applicant about a submitted application, and their response."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="clarifications")
    question = models.TextField()
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True)
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at"]

    def __str__(self) -> str:
        return f"Clarification on {self.application}"


class EvaluationAssignment(EvaluationAssignmentBase):
    """An evaluator assigned to an application. No content is shown until they declare no conflict."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")

    class Meta:
        ordering = ["assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "evaluator"], name="one_assignment_per_evaluator")
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} on {self.application}"


class Score(ScoreBase):
    """One evaluator's individual mark for one question; kept after moderation."""

    assignment = models.ForeignKey(EvaluationAssignment, on_delete=models.CASCADE, related_name="scores")
    question = models.ForeignKey(SelectionQuestion, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "question"], name="one_score_per_question")]

    def __str__(self) -> str:
        return f"{self.assignment} Q{self.question_id}: {self.score if self.score is not None else self.passed}"


class ModeratedScore(ModeratedScoreBase):
    """The agreed mark for a question, with the reason; individual scores stay as they were."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="moderated_scores")
    question = models.ForeignKey(SelectionQuestion, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "question"], name="one_moderation_per_question")]

    def __str__(self) -> str:
        return f"Moderated Q{self.question_id} of {self.application_id}"


class AppointmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Appointment.Status.ACTIVE)

    def shared_with(self, authority):
        """Appointments a partner authority may see: consented, on a framework shared with it."""
        return self.filter(consent_share_with_partners=True, lot__framework__partner_authorities=authority)


class Appointment(models.Model):
    """A supplier on the approved list for one lot, covering some areas."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        REMOVED = "removed", "Removed"

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="appointments")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="appointments")
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        help_text="Empty for appointments imported from an earlier list.",
    )
    areas = models.ManyToManyField(Area, related_name="appointments")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    status_reason = models.TextField(blank=True)
    consent_share_with_partners = models.BooleanField(default=False)
    consent_publish = models.BooleanField(default=False)
    history = HistoricalRecords(m2m_fields=[areas])

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["lot__number", "supplier__legal_name"]
        constraints = [models.UniqueConstraint(fields=["supplier", "lot"], name="one_appointment_per_lot")]

    def __str__(self) -> str:
        return f"{self.supplier} on {self.lot}"


class HomeVisit(models.Model):
    """When a person last opened their home page, and the visit before: an access record, so a partner's
    home can list the suppliers added or changed since their last visit."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="home_visit")
    seen_at = models.DateTimeField()
    previous_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} last seen {self.seen_at:%Y-%m-%d %H:%M}"


class SharedSupplierTally(models.Model):
    """How many suppliers have an active appointment on `framework` that they agreed to share with partner
    commissioners, by the latest end of those appointments (empty: open-ended): a supplier is counted once
    however many lots it holds. The partner's home page adds up those ending today or later instead of
    counting distinct suppliers over every appointment; `frameworks.coverage_tallies` recounts a framework's
    whenever an appointment on it changes."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    ends_on = models.DateField(null=True, blank=True)
    suppliers = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "ends_on"],
                condition=models.Q(ends_on__isnull=False),
                name="one_shared_supplier_tally_per_end",
            ),
            models.UniqueConstraint(
                fields=["framework"], condition=models.Q(ends_on__isnull=True), name="one_open_ended_supplier_tally"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework_id}/{self.ends_on}: {self.suppliers}"


class AppointmentTally(models.Model):
    """How many appointments `lot` has, by status, by whether the supplier agreed to share its details with
    partner commissioners and by when the appointment ends (empty: open-ended). The approved lists' pages say
    how many rows the whole list has from these, instead of counting the framework's appointments on every
    view; `frameworks.coverage_tallies` recounts a lot's whenever an appointment on it changes."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Appointment.Status.choices)
    shared = models.BooleanField()
    ends_on = models.DateField(null=True, blank=True)
    appointments = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "status", "shared", "ends_on"],
                condition=models.Q(ends_on__isnull=False),
                name="one_appointment_tally_per_end",
            ),
            models.UniqueConstraint(
                fields=["lot", "status", "shared"],
                condition=models.Q(ends_on__isnull=True),
                name="one_open_ended_appointment_tally",
            ),
        ]

    def __str__(self) -> str:
        sharing = "shared" if self.shared else "not shared"
        return f"{self.lot_id}/{self.status}/{sharing}/{self.ends_on}: {self.appointments}"


class AppointeeTally(models.Model):
    """How many active appointments on `lot` cover `area`, by whether the supplier agreed to share its details
    with partner commissioners and by when the appointment ends (empty: open-ended). A supplier holds one
    appointment a lot, so this is also how many suppliers. The coverage matrix adds these up instead of
    counting every appointment; `frameworks.coverage_tallies` recounts a lot's whenever an appointment on it
    changes."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    shared = models.BooleanField()
    ends_on = models.DateField(null=True, blank=True)
    appointees = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "area", "shared", "ends_on"],
                condition=models.Q(ends_on__isnull=False),
                name="one_appointee_tally_per_end",
            ),
            models.UniqueConstraint(
                fields=["lot", "area", "shared"],
                condition=models.Q(ends_on__isnull=True),
                name="one_open_ended_appointee_tally",
            ),
        ]

    def __str__(self) -> str:
        sharing = "shared" if self.shared else "not shared"
        return f"{self.lot_id}/{self.area_id}/{sharing}/{self.ends_on}: {self.appointees}"

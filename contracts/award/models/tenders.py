"""Sealed tenders (responses to one lot), their answers, documents, consortium members, social value
commitments and submitted versions, and their evaluation and moderation on the shared machinery of
frameworks.evaluation. Bids are annual values."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from contracts.models import MONEY, SocialValueCommitment
from frameworks.evaluation import EvaluationAssignmentBase, ModeratedScoreBase, ScoreBase
from suppliers.models import Supplier

from ..sealing import (
    SealedBooleanField,
    SealedDateField,
    SealedDecimalField,
    SealedIntegerField,
    SealedJSONField,
    SealedTextField,
)
from .competitions import AwardCriterion, Competition, CompetitionLot


class Tender(models.Model):
    """One supplier's response to one lot of a competition. Everything it contains is sealed until the
    competition is opened; only the number received is known before."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        WITHDRAWN = "withdrawn", "Withdrawn"
        OPENED = "opened", "Opened"
        SCORED = "scored", "Scored"
        SUCCESSFUL = "successful", "Successful"
        UNSUCCESSFUL = "unsuccessful", "Unsuccessful"

    EDITABLE = (Status.DRAFT, Status.WITHDRAWN)
    IN_EVALUATION = (Status.OPENED, Status.SCORED, Status.SUCCESSFUL, Status.UNSUCCESSFUL)

    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="tenders")
    lot = models.ForeignKey(CompetitionLot, on_delete=models.PROTECT, related_name="tenders")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="tenders")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # Sealed at rest with the competition's data key (contracts.award.sealing).
    annual_price = SealedDecimalField("annual price or bid value", **MONEY, null=True, blank=True)
    is_consortium = SealedBooleanField(null=True, help_text="Bidding as the lead of a consortium.")
    social_value_summary = SealedTextField("Social Value Proposal", blank=True)
    version = models.PositiveIntegerField(default=0, help_text="How many times it has been submitted.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receipt = SealedJSONField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["competition", "lot__number", "pk"]
        constraints = [models.UniqueConstraint(fields=["lot", "supplier"], name="one_tender_per_supplier_lot")]

    def __str__(self) -> str:
        return f"Response {self.reference}"

    @property
    def reference(self) -> str:
        return f"TND-{self.pk:06d}" if self.pk else "TND-new"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


def tender_file_path(instance, filename: str) -> str:
    """A random name: the file's own name (which may name the bidder) is kept sealed in `name`."""
    return f"tenders/{instance.tender_id}/{uuid.uuid4().hex}.sealed"


class TenderAnswer(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(AwardCriterion, on_delete=models.PROTECT, related_name="+")
    text = SealedTextField(blank=True, competition_path="tender.competition_id")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "criterion"], name="one_tender_answer_per_criterion")]

    def __str__(self) -> str:
        return f"Answer {self.pk}"


class TenderDocument(models.Model):
    """A file uploaded with a response. Replacing one keeps the old row (and file) for earlier versions."""

    class Kind(models.TextChoices):
        BUDGET = "budget", "Budget template"
        SUPPORTING = "supporting", "Supporting document"

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=tender_file_path, help_text="Encrypted with the competition's data key.")
    name = SealedTextField(competition_path="tender.competition_id")
    # Sealed too: a file's hash or size identifies its content (the same file sent by two bidders).
    sha256 = SealedTextField(competition_path="tender.competition_id")
    size = SealedIntegerField(default=0, competition_path="tender.competition_id")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["tender", "kind", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"Document {self.pk}"


class TenderConsortiumMember(models.Model):
    """A member of the consortium the bidder leads."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="consortium_members")
    name = SealedTextField("organisation name", competition_path="tender.competition_id")
    registration_number = SealedTextField(
        "charity or company number", blank=True, competition_path="tender.competition_id"
    )
    role = SealedTextField(competition_path="tender.competition_id")
    # The registered supplier this member is, if any: sealed, since which organisations bid together is
    # part of the bid (a foreign key would say so in clear). Read it through `linked_supplier`.
    supplier_ref = SealedIntegerField(
        "registered supplier", null=True, blank=True, competition_path="tender.competition_id"
    )

    class Meta:
        ordering = ["tender", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"

    @property
    def linked_supplier(self) -> Supplier | None:
        if not isinstance(self.supplier_ref, int):
            return None
        return Supplier.objects.filter(pk=self.supplier_ref).first()


class CommitmentFields(models.Model):
    """A social value commitment as the contract will carry it (see SocialValueCommitment)."""

    theme = models.CharField(max_length=20, choices=SocialValueCommitment.Theme.choices)
    measure = models.CharField(max_length=250)
    unit = models.CharField(max_length=50)
    target = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    due_on = models.DateField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.measure}: {self.target} {self.unit}"

    def as_spec(self) -> dict:
        return {
            "theme": self.theme,
            "measure": self.measure,
            "unit": self.unit,
            "target": self.target,
            "due_on": self.due_on,
        }


class TenderCommitment(CommitmentFields):
    """A bidder's commitment: every part sealed with the competition's data key, like the rest of the bid.
    Rows keep the order the bidder gave them (sealed dates cannot be sorted by the database)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="commitments")
    theme = SealedTextField(choices=SocialValueCommitment.Theme.choices, competition_path="tender.competition_id")
    measure = SealedTextField(validators=[MaxLengthValidator(250)], competition_path="tender.competition_id")
    unit = SealedTextField(validators=[MaxLengthValidator(50)], competition_path="tender.competition_id")
    target = SealedDecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(0)], competition_path="tender.competition_id"
    )
    due_on = SealedDateField(competition_path="tender.competition_id")

    class Meta:
        ordering = ["tender", "pk"]


class TenderVersion(models.Model):
    """What was submitted, each time it was submitted: kept whatever happens to the tender afterwards."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content = SealedJSONField(competition_path="tender.competition_id")
    receipt = SealedJSONField(competition_path="tender.competition_id")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["tender", "number"]
        constraints = [models.UniqueConstraint(fields=["tender", "number"], name="one_tender_version_per_number")]

    def __str__(self) -> str:
        return f"Version {self.number} of response {self.tender_id}"


class TenderAssignment(EvaluationAssignmentBase):
    """An evaluator assigned to an opened response; nothing of it is shown until they declare."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="assignments")

    class Meta:
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "evaluator"], name="one_tender_assignment_per_evaluator")
        ]

    def __str__(self) -> str:
        return f"Evaluation {self.pk} of response {self.tender_id}"


class TenderScore(ScoreBase):
    """One evaluator's mark for one criterion of a response; kept after moderation."""

    assignment = models.ForeignKey(TenderAssignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(AwardCriterion, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="one_tender_score_per_criterion")
        ]


class TenderModeratedScore(ModeratedScoreBase):
    """The agreed mark for one criterion of a response, with the reason."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="moderated_scores")
    criterion = models.ForeignKey(AwardCriterion, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tender", "criterion"], name="one_tender_moderation_per_criterion")
        ]

"""The abstract models every kind of evaluation stores its rows in: an evaluator's assignment with their
declaration, their individual score per criterion, and the agreed (moderated) score per criterion. Each
kind's concrete models add the foreign keys to what is evaluated and to its criteria."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EvaluationAssignmentBase(models.Model):
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    has_conflict = models.BooleanField(null=True, help_text="Empty until the evaluator declares.")
    conflict_details = models.TextField(blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def state(self) -> str:
        if self.has_conflict is None:
            return "declare"
        if self.has_conflict:
            return "conflicted"
        if self.submitted_at is None:
            return "scoring"
        return "submitted"


class ScoreBase(models.Model):
    """One evaluator's score for one criterion: a number for a scored criterion, pass or fail otherwise."""

    score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"Score {self.pk}"


class ModeratedScoreBase(models.Model):
    """The agreed score for one criterion and why; the individual scores stay as they were."""

    score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    reason = models.TextField()
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    moderated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"Moderated score {self.pk}"

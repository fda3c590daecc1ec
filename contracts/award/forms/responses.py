"""A bidder's response and the social value commitments shared by responses and direct awards. Each keeps
what the user typed when shown again with errors; the rules are checked by the services."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms

from commissioning import numbers
from commissioning.forms import GDSFormMixin
from contracts.award.models import AwardCriterion
from contracts.forms import MoneyField, gds_date
from contracts.models import SocialValueCommitment
from frameworks.forms import yes_no_field

from .common import check_upload, layout_helper, upload_field

# --- Social value commitments, shared by responses and direct awards -----------------------------------

COMMITMENT_ROWS = 3


def add_commitment_fields(form: forms.Form, existing: list, layout: list) -> None:
    for i in range(COMMITMENT_ROWS):
        c = existing[i] if i < len(existing) else None
        form.fields[f"commitment_{i}_theme"] = forms.ChoiceField(
            label="Theme",
            required=False,
            choices=[("", "Select a theme")] + list(SocialValueCommitment.Theme.choices),
            initial=c.theme if c else "",
        )
        form.fields[f"commitment_{i}_measure"] = forms.CharField(
            label="Measure",
            required=False,
            max_length=250,
            initial=c.measure if c else "",
            help_text="For example: local people employed, volunteering hours.",
        )
        form.fields[f"commitment_{i}_unit"] = forms.CharField(
            label="Unit",
            required=False,
            max_length=50,
            initial=c.unit if c else "",
            help_text="For example: people, hours, £.",
        )
        form.fields[f"commitment_{i}_target"] = numbers.DecimalField(
            label="Target",
            required=False,
            min_value=0,
            max_digits=12,
            decimal_places=2,
            initial=c.target if c else None,
            widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "decimal"}),
            error_messages={"invalid": "Enter the target as a number"},
        )
        form.fields[f"commitment_{i}_due_on"] = gds_date("Due date", required=False)
        if c:
            form.fields[f"commitment_{i}_due_on"].initial = c.due_on
        layout.append(
            Fieldset(
                Field.select(f"commitment_{i}_theme"),
                f"commitment_{i}_measure",
                Field.text(f"commitment_{i}_unit", field_width=10),
                f"commitment_{i}_target",
                f"commitment_{i}_due_on",
                legend=f"Commitment {i + 1}",
                legend_size=Size.SMALL,
            )
        )


def clean_commitments(form: forms.Form) -> list[dict]:
    data = form.cleaned_data
    rows = []
    for i in range(COMMITMENT_ROWS):
        names = [f"commitment_{i}_{part}" for part in ("theme", "measure", "unit", "target", "due_on")]
        values = [data.get(name) for name in names]
        if not any(v not in (None, "") for v in values) and not any(name in form.errors for name in names):
            continue
        labels = {"theme": "theme", "measure": "measure", "unit": "unit", "target": "target", "due_on": "due date"}
        for name, value in zip(names, values, strict=True):
            part = name.rsplit("_", 1)[-1] if not name.endswith("due_on") else "due_on"
            if value in (None, "") and name not in form.errors:
                form.add_error(name, f"Enter the {labels[part]} of commitment {i + 1}")
        if all(v not in (None, "") for v in values):
            rows.append(dict(zip(("theme", "measure", "unit", "target", "due_on"), values, strict=True)))
    return rows


# --- Providers: a response ---------------------------------------------------------------------------


class TenderForm(GDSFormMixin, forms.Form):
    """One lot's response on one page: price, answers, consortium, Social Value Proposal, documents.
    Saving keeps a draft on the server whatever is missing; submitting checks it is complete."""

    MEMBER_ROWS = 3

    def __init__(self, *args, tender, criteria: list[AwardCriterion], social_value: bool, **kwargs):
        super().__init__(*args, **kwargs)
        competition = tender.competition
        lot = tender.lot
        bounds = []
        if lot.min_annual_bid is not None:
            bounds.append(f"at least £{lot.min_annual_bid:,.2f}")
        if lot.max_annual_bid is not None:
            bounds.append(f"no more than £{lot.max_annual_bid:,.2f}")
        self.fields["annual_price"] = MoneyField(
            label="Your annual price (bid value), in pounds excluding VAT",
            required=False,
            initial=tender.annual_price,
            help_text=(
                f"For {lot}: {' and '.join(bounds)} a year." if bounds else "The price for one year of the service."
            ),
        )
        layout: list = [Fieldset(Field.text("annual_price", field_width=10), legend="Price", legend_size=Size.MEDIUM)]
        answers = {a.criterion_id: a.text for a in tender.answers.all()}
        answer_fields = []
        for criterion in criteria:
            help_parts = [f"Weight {criterion.weight}%."]
            if criterion.word_limit:
                help_parts.append(f"Up to {criterion.word_limit} words.")
            self.fields[f"answer_{criterion.pk}"] = forms.CharField(
                label=criterion.question or criterion.title,
                required=False,
                help_text=" ".join(help_parts),
                widget=forms.Textarea(attrs={"rows": 8}),
                initial=answers.get(criterion.pk, ""),
            )
            answer_fields.append(Field.textarea(f"answer_{criterion.pk}", rows=8))
        if answer_fields:
            layout.append(Fieldset(*answer_fields, legend="Your answers", legend_size=Size.MEDIUM))
        self.fields["is_consortium"] = yes_no_field(
            "Are you bidding as the lead of a consortium?",
            "Select yes if you are bidding as the lead of a consortium",
            help_text="Your organisation signs the contract and is responsible for its members.",
        )
        self.fields["is_consortium"].required = False
        self.fields["is_consortium"].initial = (
            None if tender.is_consortium is None else ("yes" if tender.is_consortium else "no")
        )
        members = list(tender.consortium_members.all())
        member_fields = [Field.radios("is_consortium", legend_size=Size.SMALL, inline=True)]
        for i in range(self.MEMBER_ROWS):
            m = members[i] if i < len(members) else None
            self.fields[f"member_{i}_name"] = forms.CharField(
                label=f"Member {i + 1}: organisation name", required=False, initial=m.name if m else ""
            )
            self.fields[f"member_{i}_number"] = forms.CharField(
                label=f"Member {i + 1}: charity or company number",
                required=False,
                initial=m.registration_number if m else "",
            )
            self.fields[f"member_{i}_role"] = forms.CharField(
                label=f"Member {i + 1}: what they will deliver", required=False, initial=m.role if m else ""
            )
            member_fields += [f"member_{i}_name", Field.text(f"member_{i}_number", field_width=10), f"member_{i}_role"]
        layout.append(Fieldset(*member_fields, legend="Consortium", legend_size=Size.MEDIUM))
        self.social_value = social_value
        if social_value:
            self.fields["social_value_summary"] = forms.CharField(
                label="Your Social Value Proposal",
                required=False,
                widget=forms.Textarea(attrs={"rows": 6}),
                initial=tender.social_value_summary,
                help_text="What you will add for the community, beyond the service itself. It is scored and moderated, "
                "and its commitments become part of the contract.",
            )
            sv_layout: list = [Field.textarea("social_value_summary", rows=6)]
            add_commitment_fields(self, list(tender.commitments.all()), sv_layout)
            layout.append(Fieldset(*sv_layout, legend="Social value", legend_size=Size.MEDIUM))
        documents = {d.kind: d for d in tender.documents.filter(replaced_at__isnull=True)}
        doc_fields = []
        if competition.requires_budget_template:
            current = f" Uploaded: {documents['budget'].name}." if "budget" in documents else ""
            self.fields["budget"] = upload_field(
                "Completed budget template", f"An XLSX, CSV, ODT, DOCX or PDF, up to 25MB.{current}"
            )
            doc_fields.append("budget")
        current = f" Uploaded: {documents['supporting'].name}." if "supporting" in documents else ""
        self.fields["supporting"] = upload_field(
            "Supporting document (optional)", f"PDF, DOCX, XLSX, ODT or CSV, up to 25MB.{current}"
        )
        doc_fields.append("supporting")
        layout.append(Fieldset(*doc_fields, legend="Documents", legend_size=Size.MEDIUM))
        self.helper = layout_helper(*layout)
        self.criteria = criteria

    def clean(self):
        data = super().clean()
        for i in range(self.MEMBER_ROWS):
            if (data.get(f"member_{i}_name") or "").strip() and not (data.get(f"member_{i}_role") or "").strip():
                self.add_error(f"member_{i}_role", f"Enter what member {i + 1} will deliver")
            if (data.get(f"member_{i}_role") or "").strip() and not (data.get(f"member_{i}_name") or "").strip():
                self.add_error(f"member_{i}_name", f"Enter the name of member {i + 1}")
        data["commitments"] = clean_commitments(self) if self.social_value else None
        for name in ("budget", "supporting"):
            if name in self.fields:
                check_upload(self, name)
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        consortium = data.get("is_consortium")
        kwargs = {
            "annual_price": data.get("annual_price"),
            "answers": {c.pk: data.get(f"answer_{c.pk}", "") for c in self.criteria},
            "is_consortium": consortium if isinstance(consortium, bool) else None,
            "members": [
                {
                    "name": data.get(f"member_{i}_name", ""),
                    "registration_number": data.get(f"member_{i}_number", ""),
                    "role": data.get(f"member_{i}_role", ""),
                }
                for i in range(self.MEMBER_ROWS)
            ],
            "uploads": {name: data.get(name) for name in ("budget", "supporting") if data.get(name)},
        }
        if self.social_value:
            kwargs["social_value_summary"] = data.get("social_value_summary", "")
            kwargs["commitments"] = data.get("commitments") or []
        return kwargs

"""Forms of the selection stage. Each keeps what the user typed when it is re-shown with errors."""

from __future__ import annotations

from django import forms

from commissioning.forms import GDSFormMixin, radio_question, text_area
from commissioning.models import Area
from commissioning.uploads import ACCEPT_ATTRIBUTE, validate_upload

from .models import ApplicationLot, Appointment, Lot, SelectionQuestion

YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no_field(label: str, required_message: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
        error_messages={"required": required_message},
    )


def as_yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


class LotsForm(forms.Form):
    """A checkbox per lot, and for each lot the areas covered. Rendered by its own template."""

    def __init__(self, *args, lots: list[Lot], areas: list[Area], initial_choices: dict[int, list[int]], **kwargs):
        super().__init__(*args, **kwargs)
        self.lots = lots
        area_choices = [(area.pk, area.name) for area in areas]
        self.area_lookup = {area.pk: area for area in areas}
        for lot in lots:
            self.fields[f"lot_{lot.number}"] = forms.BooleanField(
                label=f"Lot {lot.number}: {lot.title}",
                required=False,
                initial=lot.pk in initial_choices,
            )
            self.fields[f"areas_{lot.number}"] = forms.TypedMultipleChoiceField(
                label=f"Areas you will cover for lot {lot.number}",
                choices=area_choices,
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=initial_choices.get(lot.pk, []),
            )

    def clean(self):
        data = super().clean()
        chosen = [lot for lot in self.lots if data.get(f"lot_{lot.number}")]
        if not chosen:
            self.add_error(f"lot_{self.lots[0].number}", "Select at least one lot")
        for lot in self.lots:
            areas = data.get(f"areas_{lot.number}") or []
            if lot in chosen and not areas:
                self.add_error(f"areas_{lot.number}", f"Select at least one area for lot {lot.number}")
            if lot not in chosen and areas:
                self.add_error(
                    f"lot_{lot.number}", f"Select lot {lot.number} if you will cover those areas, or clear its areas"
                )
        return data

    def choices(self) -> dict[Lot, list[Area]]:
        return {
            lot: [self.area_lookup[pk] for pk in self.cleaned_data.get(f"areas_{lot.number}", [])]
            for lot in self.lots
            if self.cleaned_data.get(f"lot_{lot.number}")
        }

    def rows(self):
        return [(lot, self[f"lot_{lot.number}"], self[f"areas_{lot.number}"]) for lot in self.lots]


class ConsortiumForm(GDSFormMixin, forms.Form):
    is_consortium = yes_no_field(
        "Are you applying as the lead of a consortium?",
        "Select yes if you are applying as a consortium lead",
        help_text="A consortium is a group of organisations delivering together, led by one of them.",
    )


class ConsortiumMemberForm(GDSFormMixin, forms.Form):
    # The lengths the columns hold (ConsortiumMember)
    name = forms.CharField(label="Organisation name", required=False, max_length=200)
    registration_number = forms.CharField(label="Charity or company number", required=False, max_length=20)
    role = forms.CharField(label="What they will deliver", required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("role"):
            self.add_error("role", "Enter what this member will deliver")
        if data.get("role") and not data.get("name"):
            self.add_error("name", "Enter the member's organisation name")
        return data


ConsortiumMemberFormSet = forms.formset_factory(ConsortiumMemberForm, extra=0, max_num=10)


class ConsentForm(GDSFormMixin, forms.Form):
    share_with_partners = forms.BooleanField(
        label="I agree to share my organisation's details with the partner authorities named above",
        help_text="Applying to the framework means agreeing to this (seed 000): you cannot apply without it.",
        error_messages={"required": "Agree to share your organisation's details with the partner authorities to apply"},
    )
    publish = yes_no_field(
        "Do you agree to your organisation's name and areas being published on the public list of appointed suppliers?",
        "Select yes if you agree to be published on the public list",
    )


class SectionForm(GDSFormMixin, forms.Form):
    """One text answer per question, plus an upload where the question asks for one."""

    def __init__(self, *args, questions: list[SelectionQuestion], answers: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            answer = answers.get(question.pk)
            help_parts = [question.guidance] if question.guidance else []
            if question.word_limit:
                help_parts.append(f"Up to {question.word_limit} words.")
            self.fields[f"q_{question.pk}"] = forms.CharField(
                label=question.text,
                required=False,
                help_text=" ".join(help_parts),
                widget=forms.Textarea(attrs={"rows": 8, "class": "govuk-textarea"}),
                initial=answer.text if answer else "",
            )
            if question.requires_upload:
                current = f" Uploaded: {answer.upload_name}." if answer and answer.upload else ""
                self.fields[f"file_{question.pk}"] = forms.FileField(
                    label=f"Supporting document for: {question.text[:80]}",
                    required=False,
                    help_text=f"PDF, DOCX, XLSX, ODT or CSV, up to 25MB.{current}",
                    widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
                )

    def clean(self):
        data = super().clean()
        for question in self.questions:
            text = data.get(f"q_{question.pk}", "")
            if question.word_limit and len(text.split()) > question.word_limit:
                over = len(text.split()) - question.word_limit
                self.add_error(
                    f"q_{question.pk}", f"Your answer must be {question.word_limit} words or fewer (it is {over} over)"
                )
            upload = data.get(f"file_{question.pk}")
            if upload:
                try:
                    validate_upload(upload)
                except forms.ValidationError as error:
                    self.add_error(f"file_{question.pk}", error)
        return data

    def texts(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}", "") for q in self.questions}

    def uploads(self) -> dict:
        return {
            q.pk: self.cleaned_data[f"file_{q.pk}"] for q in self.questions if self.cleaned_data.get(f"file_{q.pk}")
        }


class ClarificationResponseForm(GDSFormMixin, forms.Form):
    response = text_area("Your response", rows=8, required="Enter your response")


class WithdrawForm(GDSFormMixin, forms.Form):
    reason = text_area("Why are you withdrawing? (optional)", rows=3)


class ClarificationRequestForm(GDSFormMixin, forms.Form):
    question = text_area("Your question to the applicant", rows=4, required="Enter your question to the applicant")


class DecisionForm(GDSFormMixin, forms.Form):
    outcome = radio_question(
        "Decision",
        [
            (ApplicationLot.Outcome.APPOINTED, "Appoint to the approved list"),
            (ApplicationLot.Outcome.UNSUCCESSFUL, "Unsuccessful"),
        ],
        required="Select appoint or unsuccessful",
    )
    reason = text_area("Reason", rows=3, required="Give the reason for the decision")


class AppointmentStatusForm(GDSFormMixin, forms.Form):
    status = radio_question("Change to", Appointment.Status.choices, required="Select the new status")
    reason = text_area("Reason", rows=3, required="Give the reason")

"""Forms of the award stage (GOV.UK markup via crispy-forms-gds), one module per audience."""

from .common import TimeOfDayField, check_upload, layout_helper, upload_field
from .competitions import (
    AnswerForm,
    AwardForm,
    CompetitionForm,
    ContractFromAwardForm,
    CriteriaForm,
    DecisionForm,
    LotsForm,
    MoveClosingForm,
    NoAwardForm,
    QuestionForm,
    ReasonForm,
    extension_months,
)
from .direct_awards import DirectAwardForm
from .responses import TenderForm, add_commitment_fields, clean_commitments

__all__ = [
    "AnswerForm",
    "AwardForm",
    "CompetitionForm",
    "ContractFromAwardForm",
    "CriteriaForm",
    "DecisionForm",
    "DirectAwardForm",
    "LotsForm",
    "MoveClosingForm",
    "NoAwardForm",
    "QuestionForm",
    "ReasonForm",
    "TenderForm",
    "TimeOfDayField",
    "add_commitment_fields",
    "check_upload",
    "clean_commitments",
    "extension_months",
    "layout_helper",
    "upload_field",
]

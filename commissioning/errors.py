"""The error a service raises when a rule refuses a change: its message is shown to the user as it is,
next to the form field it concerns when there is one (a ValidationError, so forms take it as theirs)."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class RuleError(ValidationError):
    def __init__(self, message: str, *, field: str = NON_FIELD_ERRORS):
        super().__init__({field: [message]})
        self.field = field
        self.text = message

    def __str__(self) -> str:
        return self.text

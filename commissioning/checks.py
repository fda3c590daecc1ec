"""System checks of our own: `manage.py check --deploy` fails if two-factor could be skipped."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def two_factor_is_not_skipped(app_configs, **kwargs):
    if settings.SKIP_TWO_FACTOR:
        return [
            Error(
                "SKIP_TWO_FACTOR is on: officers, evaluators, administrators and partners would sign in "
                "with a password alone.",
                hint="Unset SKIP_TWO_FACTOR; it is for development only.",
                id="commissioning.E001",
            )
        ]
    return []

"""Rewrap every competition's data key with the first key of TENDER_SEALING_KEY (key rotation)."""

from django.core.management.base import BaseCommand

from commissioning.audit import record
from contracts.award.sealing import rotate_data_keys


class Command(BaseCommand):
    help = "Rewrap sealed tenders' data keys with the current key-encryption key, so older keys can be retired."

    def handle(self, *args, **options):
        rotated = rotate_data_keys()
        record("sealing.keys_rotated", by=None, data={"competitions": rotated}, actor_email="manage.py")
        self.stdout.write(f"Rewrapped the data keys of {rotated} competition(s).")

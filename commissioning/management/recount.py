"""The shape of the commands that recount what the services keep up to date (tallies, marks): recount it all,
or with --check only compare with a full recount and exit 1 when they differ."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class RecountCommand(BaseCommand):
    def compare(self) -> tuple[str | None, str]:
        """What differs from a full recount (None: nothing), and what to say when nothing does."""
        raise NotImplementedError

    def rebuild(self) -> str:
        """Recount everything; returns what to say."""
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare without rebuilding.")

    def handle(self, *args, check: bool = False, **options):
        if not check:
            self.stdout.write(self.style.SUCCESS(self.rebuild()))
            return
        differing, same = self.compare()
        if differing:
            self.stdout.write(self.style.ERROR(differing))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(same))

"""Kept only because migration 0002 names these upload paths by their old module; the award stage's
models live in contracts.award.models."""

from contracts.award.models.competitions import specification_path
from contracts.award.models.tenders import tender_file_path

__all__ = ["specification_path", "tender_file_path"]

"""The release schema Find a Tender's data follows: OCDS 1.1.5 patched with the UK and lots extensions, all
vendored in `vendor/` and read from disk (never fetched), and validation that names the field at fault.

A release that fails validation is not published: `release_errors` gives each problem as
"tender/lots/0/value/amount: -1 is less than the minimum of 0", the path of the field first."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, Draft7Validator, FormatChecker

VENDOR = Path(__file__).resolve().parent / "vendor"
CORE = VENDOR / "1.1.5"
EXTENSIONS = {
    "uk": VENDOR / "extensions" / "uk",
    "lots": VENDOR / "extensions" / "lots",
}
# The extension.json URLs a release package names (Find a Tender lists the UK one among its extensions).
EXTENSION_URLS = [
    "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/master/extension.json",
]
OCDS_VERSION = "1.1"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: objects merge key by key, null removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def release_schema() -> dict[str, Any]:
    """The OCDS 1.1.5 release schema with the lots and UK extensions applied (lots first: the UK extension
    patches the lots it adds)."""
    schema = _load(CORE / "release-schema.json")
    for name in ("lots", "uk"):
        schema = merge_patch(schema, _load(EXTENSIONS[name] / "release-schema.json"))
    # The lots extension refers to definitions of extensions it only tests with (SubmissionTerms); they are
    # not vendored, so such objects are checked as objects and nothing more, and every $ref resolves.
    for name in sorted(_refs(schema) - set(schema["definitions"])):
        schema["definitions"][name] = {"type": "object", "description": f"{name}: an extension not vendored"}
    return schema


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            found.add(ref.split("/")[-1])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


@lru_cache(maxsize=1)
def _validator() -> Draft4Validator:
    schema = release_schema()
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=FormatChecker())


# What Find a Tender needs beyond the schema: every supplier a notice names is identified (by its PPON, or
# its Charity Commission or Companies House number), or the notice cannot be matched to the organisation.
FIND_A_TENDER_RULES: dict[str, Any] = {
    "type": "object",
    "properties": {
        "parties": {
            "type": "array",
            "items": {
                "if": {"properties": {"roles": {"contains": {"const": "supplier"}}}, "required": ["roles"]},
                "then": {"required": ["identifier"]},
            },
        }
    },
}


@lru_cache(maxsize=1)
def _publication_validator() -> Draft7Validator:
    return Draft7Validator(FIND_A_TENDER_RULES)


def field_path(error) -> str:
    """Where an error is, as a path of the release: tender/lots/0/value/amount (or "release"); a missing
    property is named at the end of the path of the object that lacks it."""
    parts = [str(part) for part in error.absolute_path]
    if error.validator == "required" and error.message.startswith("'"):
        parts.append(error.message.split("'")[1])
    return "/".join(parts) or "release"


def release_errors(release: dict[str, Any]) -> list[str]:
    """Every way the release breaks the patched schema (and the few rules Find a Tender adds), each naming
    its field; empty when valid."""
    errors = [*_validator().iter_errors(release), *_publication_validator().iter_errors(release)]
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{field_path(error)}: {error.message}" for error in errors]

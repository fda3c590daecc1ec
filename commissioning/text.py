"""Text that users type, checked before it is stored.

Forms refuse a NUL character on their own (Django's CharField), but the autosave endpoints hand typed
text straight to the services, and PostgreSQL refuses to store a NUL: the request failed with a server
error and the typing was not saved. The services check with this instead, and say why.
"""

from __future__ import annotations

CANNOT_BE_SAVED = (
    "Your text holds a character that cannot be saved (a NUL character, which pasting can bring). "
    "Type the last part again instead of pasting it."
)


def holds_nul_character(*texts: str | None) -> bool:
    return any(text is not None and "\x00" in text for text in texts)

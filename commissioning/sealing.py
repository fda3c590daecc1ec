"""Encryption at rest for what stays sealed until a set moment (tenders until their opening).

Envelope encryption with AES-GCM: each sealed thing (a competition) has its own random data key,
stored only wrapped by a key-encryption key from settings (TENDER_SEALING_KEY, "id:key" entries,
newest first). A database dump, a backup or the media directory alone reveals nothing; the key id
kept beside each wrapped key lets old keys unwrap while the newest wraps (rotation, see `rewrap`).
"""

from __future__ import annotations

import base64
import binascii
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "sealed:v1:"
NONCE_BYTES = 12


class SealingError(Exception):
    """A sealed value could not be opened: wrong key, unknown key id or altered ciphertext."""


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _b64d(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError) as error:
        raise SealingError("Not a sealed value") from error


@lru_cache(maxsize=8)
def _parse_keys(setting: str) -> tuple[tuple[str, bytes], ...]:
    keys = []
    for entry in (part.strip() for part in setting.split(",")):
        if not entry:
            continue
        key_id, sep, encoded = entry.partition(":")
        if not sep or not key_id:
            raise ImproperlyConfigured("TENDER_SEALING_KEY entries must be 'key-id:urlsafe-base64 key'.")
        try:
            key = base64.urlsafe_b64decode(encoded.encode("ascii"))
        except (binascii.Error, ValueError) as error:
            raise ImproperlyConfigured(f"TENDER_SEALING_KEY {key_id!r} is not urlsafe base64.") from error
        if len(key) != 32:
            raise ImproperlyConfigured(f"TENDER_SEALING_KEY {key_id!r} must be 32 bytes (256 bits).")
        keys.append((key_id, key))
    if not keys:
        raise ImproperlyConfigured("TENDER_SEALING_KEY is not set.")
    return tuple(keys)


def key_encryption_keys() -> tuple[tuple[str, bytes], ...]:
    """(key id, key) pairs from settings, the current one first."""
    return _parse_keys(settings.TENDER_SEALING_KEY)


def current_key_id() -> str:
    return key_encryption_keys()[0][0]


def _kek(key_id: str) -> bytes:
    for candidate, key in key_encryption_keys():
        if candidate == key_id:
            return key
    raise SealingError(f"The key-encryption key {key_id!r} is not configured (TENDER_SEALING_KEY).")


def encrypt(key: bytes, data: bytes, *, context: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, data, context.encode())


def decrypt(key: bytes, blob: bytes, *, context: str) -> bytes:
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode())
    except (InvalidTag, ValueError) as error:
        raise SealingError("The sealed value does not open with this key") from error


def new_data_key() -> tuple[bytes, str, str]:
    """A fresh data key, the id of the key that wraps it and the wrapped key to store."""
    key = AESGCM.generate_key(bit_length=256)
    key_id = current_key_id()
    return key, key_id, _b64e(encrypt(_kek(key_id), key, context=f"data-key:{key_id}"))


def unwrap(key_id: str, wrapped: str) -> bytes:
    return decrypt(_kek(key_id), _b64d(wrapped), context=f"data-key:{key_id}")


def rewrap(key_id: str, wrapped: str) -> tuple[str, str]:
    """The same data key wrapped by the current key-encryption key (for rotation)."""
    key = unwrap(key_id, wrapped)
    current = current_key_id()
    return current, _b64e(encrypt(_kek(current), key, context=f"data-key:{current}"))


def seal_text(key: bytes, text: str, *, context: str, label: str = "") -> str:
    """`sealed:v1:<label>:<ciphertext>`; the label (for example whose key) is not secret."""
    return f"{PREFIX}{label}:{_b64e(encrypt(key, text.encode(), context=context))}"


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def label_of(token: str) -> str:
    return token[len(PREFIX) :].partition(":")[0]


def open_text(key: bytes, token: str, *, context: str) -> str:
    if not is_sealed(token):
        raise SealingError("Not a sealed value")
    payload = token[len(PREFIX) :].partition(":")[2]
    return decrypt(key, _b64d(payload), context=context).decode()

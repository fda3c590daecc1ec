"""Malware scanning, a step of the upload gate that a deployment switches on with a setting.

`MALWARE_SCANNER` names the scanner: empty (the default) for none, `clamd` for ClamAV's daemon
through the maintained `clamav-client` library (`CLAMD_ADDRESS`: `unix:///run/clamav/clamd.ctl` or
`tcp://clamav:3310`), or the dotted path of a class with the `Scanner` interface. A scanner that cannot
be reached refuses the file: nothing goes unscanned because the scanner was down.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    infected: bool
    signature: str = ""


class ScannerUnavailable(Exception):
    """The scanner could not give a verdict (not running, timed out, answered with an error)."""


class Scanner(Protocol):
    name: str

    def scan(self, stream) -> Verdict:
        """Read `stream` from its start and say whether it holds malware."""


class ClamdScanner:
    """ClamAV's daemon, sent the file's bytes over its socket (INSTREAM): the web server and clamd need
    not share a disk."""

    name = "ClamAV (clamd)"

    def __init__(self, address: str | None = None, timeout: float | None = None):
        from clamav_client import clamd

        address = address or settings.CLAMD_ADDRESS
        timeout = timeout if timeout is not None else settings.CLAMD_TIMEOUT_SECONDS
        parts = urlsplit(address)
        if parts.scheme == "unix":
            self.client = clamd.ClamdUnixSocket(path=parts.path, timeout=timeout)
        elif parts.scheme == "tcp" and parts.hostname:
            self.client = clamd.ClamdNetworkSocket(host=parts.hostname, port=parts.port or 3310, timeout=timeout)
        else:
            raise ImproperlyConfigured(
                f"CLAMD_ADDRESS must be unix:///path/to/clamd.ctl or tcp://host:3310, not {address!r}"
            )

    def scan(self, stream) -> Verdict:
        from clamav_client.clamd import ClamdError

        stream.seek(0)
        try:
            result = self.client.instream(stream)
        except (ClamdError, OSError) as exc:
            raise ScannerUnavailable(str(exc)) from exc
        finally:
            stream.seek(0)
        status, signature = result.get("stream", ("ERROR", "no answer"))
        if status == "FOUND":
            return Verdict(infected=True, signature=signature or "")
        if status == "OK":
            return Verdict(infected=False)
        raise ScannerUnavailable(f"clamd answered {status}: {signature}")


SCANNERS = {"clamd": ClamdScanner}


@cache
def _scanner_class(name: str):
    return SCANNERS.get(name) or import_string(name)


def configured_scanner() -> Scanner | None:
    """The scanner the settings name, or None when scanning is off."""
    name = settings.MALWARE_SCANNER
    if not name:
        return None
    return _scanner_class(name)()


def scan(stream) -> Verdict:
    """Scan with the configured scanner (never called when scanning is off)."""
    scanner = configured_scanner()
    try:
        return scanner.scan(stream)
    except ScannerUnavailable:
        logger.exception("The malware scanner %s could not scan an upload", scanner.name)
        raise

"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1), standing in for the portal's mail server:
it can refuse for a while (451, "try again later", or 554, "transaction failed") and then accept, and it
keeps every message it accepted so a test can count what arrived, from this process or a worker's."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller

TRY_LATER = "451 4.3.0 Mail server busy, try again later"
REFUSED = "554 5.7.1 Transaction failed"


def free_port() -> int:
    """A port nothing listens on (for the moment): connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class MailServer:
    """While `refusing` holds a reply such as TRY_LATER, every message is answered with it at DATA;
    set it to "" to accept. `received` holds the accepted messages, `refused` counts the refusals."""

    refusing: str = ""
    received: list[Message] = field(default_factory=list)
    refused: int = 0
    host: str = "127.0.0.1"
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        with self._lock:
            if self.refusing:
                self.refused += 1
                return self.refusing
            message = message_from_bytes(envelope.content)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            self.received.append(message)
        return "250 2.0.0 Message accepted for delivery"

    def recipients(self) -> list[str]:
        with self._lock:
            return sorted(message["To"] for message in self.received)


class RunningMailServer:
    def __init__(self, server: MailServer):
        self.server = server
        self.controller = Controller(server, hostname=server.host, port=free_port())
        self.server.port = self.controller.port

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self.server

    def __exit__(self, *exc) -> None:
        self.controller.stop()

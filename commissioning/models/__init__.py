"""Shared core: authorities, areas, users and roles, the append-only audit trail, funding streams,
reminders (rules and the log of what was sent) and generated documents.

Laid out as `organisations` (authorities, areas), `users` (users, role requests, two-factor links, sign-in
throttles), `audit` (the hash-chained trail), `funding` (streams and allocations), `notifications`
(reminder rules and e-mails) and `documents` (generated PDFs); this package re-exports every name.
"""

from .audit import AuditChainHead, AuditCheckpoint, AuditEvent, AuditQuerySet
from .documents import GeneratedDocument, document_upload_to
from .funding import FundingAllocation, FundingStream
from .notifications import Notification, ReminderRule, validate_offsets
from .organisations import Area, Authority
from .users import RoleRequest, SignInThrottle, TwoFactorLink, User, UserManager

__all__ = [
    "Authority",
    "Area",
    "UserManager",
    "User",
    "RoleRequest",
    "TwoFactorLink",
    "SignInThrottle",
    "AuditQuerySet",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditEvent",
    "FundingStream",
    "FundingAllocation",
    "validate_offsets",
    "ReminderRule",
    "Notification",
    "document_upload_to",
    "GeneratedDocument",
]

"""Every table of the store, in one namespace: ``from storage.models import Person, Ballot, …``.

Importing this module registers the tables on :data:`storage.base.metadata` (the migrations' target).
The tables have no ORM relationships on purpose: repositories query by id, and nothing loads a person's
ballots by accident (there is no path from ballot to person at all, see :mod:`storage.tables.voting`).
"""

from __future__ import annotations

from storage.base import NAMING_CONVENTION, metadata
from storage.tables.audit import AUDIT_TRIGGER_NAMES, AuditEntry
from storage.tables.eligibility import Eligibility, InviteCode, RosterEntry, hash_invite_code
from storage.tables.inbound import HandledUpdate
from storage.tables.mail import MailMessage, MailToken
from storage.tables.opinions import Opinion
from storage.tables.organisations import Organisation, ProcessOrganisation
from storage.tables.outbox import OutboxMessage
from storage.tables.people import DialogueState, Identity, Person, Role, normalize_address
from storage.tables.processes import Item, Pool, Process
from storage.tables.scheduling import ReminderOptOut, SchedulerJobRun
from storage.tables.verification import (
    LinkCode,
    LinkToken,
    RegisterEntry,
    ReplacedBallots,
    VerificationAttempt,
    VerifiedVoter,
)
from storage.tables.voting import Ballot, Participation, Tombstone

__all__ = [
    "AUDIT_TRIGGER_NAMES",
    "NAMING_CONVENTION",
    "AuditEntry",
    "Ballot",
    "DialogueState",
    "Eligibility",
    "HandledUpdate",
    "Identity",
    "InviteCode",
    "Item",
    "LinkCode",
    "LinkToken",
    "MailMessage",
    "MailToken",
    "Opinion",
    "Organisation",
    "OutboxMessage",
    "Participation",
    "Person",
    "Pool",
    "Process",
    "ProcessOrganisation",
    "RegisterEntry",
    "ReminderOptOut",
    "ReplacedBallots",
    "Role",
    "RosterEntry",
    "SchedulerJobRun",
    "Tombstone",
    "VerificationAttempt",
    "VerifiedVoter",
    "hash_invite_code",
    "metadata",
    "normalize_address",
]

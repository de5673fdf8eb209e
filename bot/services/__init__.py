"""The participation services: the core API every channel calls.

:class:`Services` bundles them; :func:`build_services` wires them from a session factory, a clock and the
secret key. Channels never touch the store directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.context import ServiceContext, SessionFactory
from bot.services.dialogue import DialogueService
from bot.services.eligibility import EligibilityService
from bot.services.index import IndexService
from bot.services.linking import LinkingService
from bot.services.opinions import OpinionService
from bot.services.organisations import OrganisationInfo, OrganisationService
from bot.services.outbox import Outbox
from bot.services.people import PeopleService, PersonRef
from bot.services.privacy import PrivacyService
from bot.services.processes import ProcessInfo, ProcessService
from bot.services.report import ReportService
from bot.services.results import ProcessResults, ResultsService, Turnout
from bot.services.verification import VerificationService
from bot.services.voting import CastResult, VotingService

__all__ = [
    "CastResult",
    "DialogueService",
    "EligibilityService",
    "IndexService",
    "LinkingService",
    "OpinionService",
    "OrganisationInfo",
    "OrganisationService",
    "Outbox",
    "PeopleService",
    "PersonRef",
    "PrivacyService",
    "ProcessInfo",
    "ProcessResults",
    "ProcessService",
    "ReportService",
    "ResultsService",
    "ServiceContext",
    "Services",
    "Turnout",
    "VerificationService",
    "VotingService",
    "build_services",
]


@dataclass(frozen=True)
class Services:
    """All participation services, sharing one :class:`ServiceContext`."""

    context: ServiceContext
    people: PeopleService
    processes: ProcessService
    eligibility: EligibilityService
    voting: VotingService
    opinions: OpinionService
    results: ResultsService
    dialogue: DialogueService
    outbox: Outbox
    report: ReportService
    privacy: PrivacyService
    verification: VerificationService
    linking: LinkingService
    organisations: OrganisationService
    index: IndexService


def build_services(
    sessions: SessionFactory,
    clock: Clock,
    secret: bytes,
    *,
    language: str = "pl",
    zone: ZoneInfo | None = None,
    bot_name: str = "Głos",
    group_chats: tuple[int, ...] = (),
    telegram_username: str = "",
) -> Services:
    """Wire the services around one store, clock and secret key (``group_chats``: ``[telegram] chats``)."""
    if len(secret) < 16:
        raise ValueError("the secret key must be at least 16 bytes")
    context = ServiceContext(
        sessions,
        clock,
        secret,
        zone or ZoneInfo("Europe/Warsaw"),
        bot_name,
        group_chats=tuple(group_chats),
        telegram_username=telegram_username.lstrip("@"),
    )
    eligibility = EligibilityService(context)
    verification = VerificationService(context)
    voting = VotingService(context, eligibility, verification)
    results = ResultsService(context)
    return Services(
        context=context,
        people=PeopleService(context, language),
        processes=ProcessService(context),
        eligibility=eligibility,
        voting=voting,
        opinions=OpinionService(context, eligibility, voting),
        results=results,
        dialogue=DialogueService(context),
        outbox=Outbox(context),
        report=ReportService(context),
        privacy=PrivacyService(context),
        verification=verification,
        linking=LinkingService(context, voting),
        organisations=OrganisationService(context),
        index=IndexService(context, results),
    )

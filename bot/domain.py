"""The shared vocabulary of Głos: enumerations and value types every layer speaks.

Nothing here does I/O. The store (``storage/``), the process definitions (``bot.definition``), the ballot rules
(``bot.ballot_rules``), the counting rules (``bot.counting``) and the services all use these names, so that a
word means one thing everywhere (see the glossary in ``DESIGN.md``).

A **ballot** is a mapping from pool key to that pool's part of the ballot (:data:`PoolVote`):

* a ``list[str]`` of item keys for choice rules (``one_of``, ``up_to``, ``exactly``, ``min_max``,
  ``within_budget``) and for ``ranking`` (then the order matters: first = most preferred);
* a ``dict[str, int]`` item key → points for ``cumulative`` and ``score``;
* a ``dict[str, str]`` item key → :class:`Answer` value for ``yes_no_abstain``.

Processes with a single pool use the pool key ``"main"``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeAlias

__all__ = [
    "MAIN_POOL",
    "Answer",
    "Ballot",
    "BallotRuleKind",
    "Channel",
    "CountingRuleKind",
    "EligibilityMode",
    "ItemKind",
    "ModerationStatus",
    "OrganisationKind",
    "Phase",
    "PoolVote",
    "ProcessKind",
    "ResponseStatus",
    "ResultsVisibility",
    "RoleName",
]

MAIN_POOL = "main"


class ProcessKind(StrEnum):
    """What kind of participation process this is."""

    CONSULTATION = "consultation"
    VOTE = "vote"
    BUDGET = "budget"
    SURVEY = "survey"
    DELIBERATIVE_POLL = "deliberative_poll"


class Phase(StrEnum):
    """Life cycle: draft → open → closed → published (results visible)."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class ResultsVisibility(StrEnum):
    """When results may be shown to people who are not moderators."""

    LIVE = "live"  # while open (simple polls)
    AFTER_CLOSE = "after_close"
    AFTER_PUBLISH = "after_publish"  # default: a moderator publishes them


class ItemKind(StrEnum):
    """What people react to."""

    OPTION = "option"
    PROJECT = "project"
    SECTION = "section"  # a numbered § of a draft document
    QUESTION = "question"
    STATEMENT = "statement"


class BallotRuleKind(StrEnum):
    """What a valid ballot is, per pool."""

    ONE_OF = "one_of"
    UP_TO = "up_to"
    EXACTLY = "exactly"
    MIN_MAX = "min_max"
    WITHIN_BUDGET = "within_budget"  # any set whose cost fits the pool budget (and min/max counts)
    CUMULATIVE = "cumulative"  # distribute points (Częstochowa): total ≤ max_total, each ≤ max_per_item
    SCORE = "score"  # every item (or some) gets a score in [min_score, max_score]
    RANKING = "ranking"  # an ordered list, full or partial (Kraków: exactly 3, worth 3/2/1 points)
    YES_NO_ABSTAIN = "yes_no_abstain"


class CountingRuleKind(StrEnum):
    """How ballots become results, per pool."""

    PLURALITY = "plurality"
    APPROVAL = "approval"
    POINTS = "points"
    SCORE = "score"  # mean score per item (surveys, deliberative polls)
    IRV = "irv"
    SCHULZE = "schulze"
    BORDA = "borda"
    GREEDY = "greedy"  # participatory budget: most votes first, skip what does not fit
    GREEDY_NO_SKIP = "greedy_no_skip"  # stop at the first project that does not fit (Gdynia)
    MES = "mes"  # Method of Equal Shares
    MAJORITY = "majority"  # yes / no / abstain


class Answer(StrEnum):
    """An answer on a yes / no / abstain ballot."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class EligibilityMode(StrEnum):
    """Who may take part in a process."""

    OPEN = "open"
    ROSTER = "roster"
    INVITE_CODE = "invite_code"
    DECLARED_DISTRICT = "declared_district"


class VerifyMode(StrEnum):
    """How a process checks that a voter is a resident (``[eligibility] verify``).

    ``declared``: the voter's word (an open, roster, code or district process as it is); ``register``: name and
    address matched against the city's list of residents; ``pesel``: a PESEL number, where a city's rules still
    demand one (supervisors have found that excessive, see docs/SECURITY.md).
    """

    DECLARED = "declared"
    REGISTER = "register"
    PESEL = "pesel"


class Channel(StrEnum):
    """A way in and out."""

    TELEGRAM = "telegram"
    EMAIL = "email"
    CONSOLE = "console"
    WEB = "web"
    PAPER = "paper"  # paper ballots entered by a moderator


class RoleName(StrEnum):
    """Roles held in the store; the first admins come from the configuration."""

    MODERATOR = "moderator"
    ADMIN = "admin"


class OrganisationKind(StrEnum):
    """Who runs processes: a local government (gmina, a city — *miasto*, a powiat), an NGO or a federation of
    NGOs."""

    GMINA = "gmina"
    MIASTO = "miasto"
    POWIAT = "powiat"
    NGO = "ngo"
    FEDERATION = "federation"


class ModerationStatus(StrEnum):
    """Where an opinion stands in moderation."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # taken back by its author: listed in the report with that status, never its text


class ResponseStatus(StrEnum):
    """The authority's position on an opinion (raport z konsultacji)."""

    ACCEPTED = "accepted"  # uwzględniono
    PARTIAL = "partial"  # uwzględniono częściowo
    REJECTED = "rejected"  # nie uwzględniono


PoolVote: TypeAlias = list[str] | dict[str, int] | dict[str, str]
Ballot: TypeAlias = dict[str, PoolVote]

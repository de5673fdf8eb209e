"""Counting rules: how ballots become results. Pure functions; the only I/O is the ``.pb`` reader.

Entry points for the services:

* :func:`bot.counting.pool.count_pool` — one pool of a process under its counting rule → :class:`PoolResult`;
  :func:`bot.counting.pool.opinion_shift` compares the two rounds of a deliberative poll.
* :func:`bot.counting.pb.read_pb` / :func:`parse_pb` / :func:`write_pb` — pabulib files (import, export).
* :func:`bot.counting.tally.tally` — a whole pabulib election under its published rule (or a chosen one).

Modules, one concept each: ``approvals`` (the support arrays), ``greedy``, ``mes`` (Method of Equal Shares, Add1,
greedy fill), ``scores`` (plurality, approval, points, score), ``irv``, ``schulze``, ``borda``, ``majority``,
``outcome`` (reason codes), ``pool``, ``pb``, ``tally``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.counting.outcome import BudgetOutcome, Reason
from bot.counting.pb import PbElection, PbProject, PbVote, parse_pb, read_pb, write_pb
from bot.counting.tally import TallyResult, tally

if TYPE_CHECKING:
    from bot.counting.pool import ItemRow, PoolResult, count_pool, opinion_shift

# The pool counting is loaded on first use: it reads process definitions (pydantic models), which ``glos tally``
# — a count of a ``.pb`` file — does not need and which would double its start-up time.
_POOL = ("ItemRow", "PoolResult", "count_pool", "opinion_shift")


def __getattr__(name: str) -> Any:
    if name not in _POOL:
        raise AttributeError(f"module 'bot.counting' has no attribute {name!r}")
    from bot.counting import pool

    return getattr(pool, name)


__all__ = [
    "BudgetOutcome",
    "ItemRow",
    "PbElection",
    "PbProject",
    "PbVote",
    "PoolResult",
    "Reason",
    "TallyResult",
    "count_pool",
    "opinion_shift",
    "parse_pb",
    "read_pb",
    "tally",
    "write_pb",
]

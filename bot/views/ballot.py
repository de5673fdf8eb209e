"""A ballot as a person reads it back (the receipt, "my vote"): titles and numbers, never pool or item keys."""

from __future__ import annotations

from collections.abc import Mapping

from bot.ballot_text import ANSWER_WORDS, item_number
from bot.definition import ProcessDefinition
from bot.domain import Answer, Ballot
from bot.errors import BallotError
from bot.i18n import Translator
from bot.views.process import pool_name

__all__ = ["ballot_in_a_line", "ballot_lines", "readable"]


def ballot_lines(definition: ProcessDefinition, ballot: Ballot, t: Translator) -> str:
    """One line per choice, ``• 2. 2000 nowych drzew`` (``• 1. Uchwała … — TAK``, ``• 1. Konsultacje…? — 4``: a
    dash, since titles may end in ``?`` or ``.``),
    in the order given (a ranking from the best); under the pool's name when the process has several pools."""
    titles = {item.key: item.title.get(t.language) for item in definition.items}
    words = ANSWER_WORDS.get(t.language, ANSWER_WORDS["pl"])
    several = len(definition.pools) > 1
    lines: list[str] = []
    for pool in definition.pools:
        vote = ballot.get(pool.key)
        if not vote:
            continue
        if several:
            lines.append(pool_name(pool, t) + ":")
        indent = "  " if several else ""
        if isinstance(vote, Mapping):
            for key, value in vote.items():
                shown = words[Answer(value)] if isinstance(value, str) else t.number(value)
                lines.append(f"{indent}• {item_number(definition, key)}. {titles.get(key, key)} — {shown}")
        else:
            lines += [f"{indent}• {item_number(definition, str(key))}. {titles.get(str(key), key)}" for key in vote]
    return "\n".join(lines)


def ballot_in_a_line(definition: ProcessDefinition, ballot: Ballot, t: Translator) -> str:
    """The ballot of :func:`ballot_lines` in one line, for a list whose items are lines (an e-mail
    confirmation): ``1. Uchwała … — TAK; 2. Uchwała … — NIE``, a pool's name before its choices when there are
    several (``Projekty ogólnomiejskie: 1. …, 2. …; Bemowo: 20. …``)."""
    pools: list[str] = []
    current: list[str] = []
    heading = ""
    for line in ballot_lines(definition, ballot, t).splitlines():
        if not line.lstrip().startswith("•"):  # a pool's name
            if current:
                pools.append(heading + ", ".join(current))
            heading, current = line.strip() + " ", []
            continue
        current.append(line.strip().removeprefix("•").strip())
    if current:
        pools.append(heading + ", ".join(current) if heading else "; ".join(current))
    return "; ".join(pools)


def readable(definition: ProcessDefinition, error: BallotError) -> BallotError:
    """The same refusal naming items by the number the voter sees and types (``k2`` → ``2``) and pools by
    their name and districts by theirs (shown in the reader's language), never by their keys."""

    params = dict(error.params)
    if isinstance(params.get("item"), str):
        params["item"] = item_number(definition, params["item"])
    if isinstance(params.get("items"), str):
        params["items"] = ", ".join(item_number(definition, key) for key in params["items"].split(", "))
    for name in ("pool", "item_pool"):
        key = params.get(name)
        if isinstance(key, str) and key:
            named = next((pool.name for pool in definition.pools if pool.key == key and pool.name), None)
            params[name] = named if named is not None else key
    for name in ("district", "voter_district"):
        key = params.get(name)
        if isinstance(key, str) and key:
            params[name] = definition.eligibility.district_names.get(key) or key
    return BallotError(error.key, **params)

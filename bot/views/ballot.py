"""A ballot as a person reads it back (the receipt, "my vote"): titles and numbers, never pool or item keys."""

from __future__ import annotations

from collections.abc import Mapping

from bot.ballot_text import ANSWER_WORDS, item_number
from bot.definition import ProcessDefinition
from bot.domain import Answer, Ballot
from bot.i18n import Translator
from bot.views.process import pool_name

__all__ = ["ballot_lines"]


def ballot_lines(definition: ProcessDefinition, ballot: Ballot, t: Translator) -> str:
    """One line per choice, ``• 2. 2000 nowych drzew`` (``• 1. Uchwała …: TAK``, ``• 1. Konsultacje…: 4``),
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
                lines.append(f"{indent}• {item_number(definition, key)}. {titles.get(key, key)}: {shown}")
        else:
            lines += [f"{indent}• {item_number(definition, str(key))}. {titles.get(str(key), key)}" for key in vote]
    return "\n".join(lines)

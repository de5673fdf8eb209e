"""Ballots as plain text: what residents type in chat or the console and NGO members write in e-mail replies.

:func:`parse_ballot_text` understands, case- and diacritics-insensitively:

* answers ``TAK`` / ``NIE`` / ``WSTRZYMUJĘ SIĘ`` (also ``ZA`` / ``PRZECIW`` / ``WSTRZYMUJE SIE``, and English
  ``YES`` / ``NO`` / ``ABSTAIN``), alone when there is one question, else per question: ``uchwala1: TAK``;
* item numbers (keys) separated by commas, semicolons or spaces: ``2, 5, 7``;
* points or scores: ``5:3 12:2 7:1`` (also ``5=3``);
* a ranking: ``3 > 1 > 2`` (a plain list works too: the order is kept);
* several pools, on one line or one per line, each introduced by its key: ``city: 1, 2; wesola: 12``.

Without a pool prefix, items go to the pool they belong to (item keys are unique across a process, so
``1, 2, 12`` fills the city pool and Wesoła's), and a lone answer goes to the only question of the voter's
usable pools (``district`` says which district pools are the voter's). The parser only parses: whether the
ballot is valid (counts, budget, the voter's district …) is :func:`bot.ballot_rules.validate_ballot`'s call.
Text it cannot read raises :class:`~bot.errors.InputError` ``ballot.unparseable`` with the ``fragment`` as
typed; a key that looks like an item but is none raises :class:`~bot.errors.BallotError`
``ballot.unknown_item`` (``ballot.unknown_pool`` for ``name:`` when the process has several pools); the same
item given twice points or answers raises ``ballot.duplicate`` (a dict cannot hold both).

:func:`format_ballot_text` writes a ballot back in this syntax (receipts, e-mail confirmations), so that
``parse_ballot_text(d, format_ballot_text(d, b)) == b`` for any ballot with no empty pool votes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from bot.ballot_rules import CHOICE_RULES
from bot.definition.model import Pool, ProcessDefinition
from bot.domain import MAIN_POOL, Answer, Ballot, BallotRuleKind, ItemKind, PoolVote
from bot.errors import BallotError, InputError

__all__ = ["ANSWER_WORDS", "format_ballot_text", "item_number", "item_numbers", "parse_ballot_text"]

ANSWER_WORDS: dict[str, dict[Answer, str]] = {
    "pl": {Answer.YES: "TAK", Answer.NO: "NIE", Answer.ABSTAIN: "WSTRZYMUJĘ SIĘ"},
    "en": {Answer.YES: "YES", Answer.NO: "NO", Answer.ABSTAIN: "ABSTAIN"},
    "uk": {Answer.YES: "ТАК", Answer.NO: "НІ", Answer.ABSTAIN: "УТРИМУЮСЬ"},
}
"""How :func:`format_ballot_text` writes answers, per language."""

# Matched on folded text (lower case, no diacritics); longest phrases first.
_ANSWERS: tuple[tuple[str, Answer], ...] = (
    # spaces, not newlines: "…: WSTRZYMUJE" at the end of one line and a pool "sie:" on the next stay apart
    (r"wstrzymuje[^\S\n]+sie(?:[^\S\n]+od[^\S\n]+glosu)?", Answer.ABSTAIN),
    (r"wstrzymanie(?:[^\S\n]+sie)?", Answer.ABSTAIN),
    (r"wstrzymuje", Answer.ABSTAIN),
    (r"abstain", Answer.ABSTAIN),
    # Ukrainian: "утримуюсь" / "утримуюся" (I abstain), "проти" (against), "ні" (no), "так" (yes)
    (r"утримуюс[ья]", Answer.ABSTAIN),
    (r"проти", Answer.NO),
    (r"ні", Answer.NO),
    (r"так", Answer.YES),
    (r"abstention", Answer.ABSTAIN),
    (r"przeciw", Answer.NO),
    (r"nie", Answer.NO),
    (r"no", Answer.NO),
    (r"tak", Answer.YES),
    (r"yes", Answer.YES),
    (r"za", Answer.YES),
)
_KEY_CHARS = r"0-9a-z_.\-/"
_WORD_END = r"(?![0-9a-z_\-/\u0400-\u04ff]|\.[0-9a-z])"  # "TAK." ends at the dot, "no.5" does not end at "no"
_TOKEN = re.compile(
    "|".join(
        (
            r"(?P<space>[\s,;]+|\.(?![0-9a-z]))",  # separators; a dot only when it ends a word ("TAK.", "7.")
            r"(?P<colon>[:=])",
            r"(?P<gt>>)",
            r"(?P<answer>" + "|".join(pattern for pattern, _ in _ANSWERS) + ")" + _WORD_END,
            r"(?P<signed>[+-]\d+)" + _WORD_END,
            r"(?P<key>[0-9a-z][" + _KEY_CHARS + "]*)",
        )
    )
)
_COLON_AHEAD = re.compile(r"[^\S\n]*[:=]")
_ANSWER_OF = [(re.compile(pattern), answer) for pattern, answer in _ANSWERS]
_LIST_RULES = CHOICE_RULES | {BallotRuleKind.RANKING}
_POINT_RULES = frozenset({BallotRuleKind.CUMULATIVE, BallotRuleKind.SCORE})


def _fold(text: str) -> str:
    """Lower case without diacritics, one character for one (so positions map back to the original)."""
    folded = []
    for char in text:
        if char in "łŁ":  # ł has no decomposition
            folded.append("l")
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        base = base if len(base) == 1 else char
        lower = base.lower()
        folded.append(lower if len(lower) == 1 else base)
    return "".join(folded)


@dataclass(frozen=True)
class _Token:
    kind: str  # colon, gt, answer, signed, key
    text: str  # folded
    start: int
    end: int


@dataclass(frozen=True)
class _Entry:
    """One thing the voter wrote: a choice (``value`` None), points (int) or an answer (:class:`Answer`)."""

    key: str | None  # the item key as typed (folded); None for a lone answer
    value: int | Answer | None
    start: int
    end: int


class _Parser:
    def __init__(self, definition: ProcessDefinition, text: str, district: str | None) -> None:
        self.definition = definition
        self.text = text
        self.district = district
        self.pools = {pool.key.casefold(): pool for pool in definition.pools}
        self.items = {item.key.casefold(): item for item in definition.items if item.kind is not ItemKind.SECTION}
        # items whose keys are no numbers (k1, uchwala1) are also known by the number they are shown with
        for number, key in item_numbers(definition).items():
            self.items.setdefault(number, self.items[key.casefold()])

    # -- errors ---------------------------------------------------------------------------------------

    def _unparseable(self, start: int, end: int) -> InputError:
        fragment = self.text[start:end].strip() or self.text.strip()
        return InputError("ballot.unparseable", fragment=fragment)

    # -- tokens ---------------------------------------------------------------------------------------

    def tokens(self) -> list[_Token]:
        folded = _fold(self.text)
        tokens: list[_Token] = []
        pos = 0
        while pos < len(folded):
            match = _TOKEN.match(folded, pos)
            if match is None or match.end() == pos:
                end = pos
                while end < len(folded) and not folded[end].isspace():
                    end += 1
                raise self._unparseable(pos, end)
            kind = match.lastgroup or ""
            word = match.group()
            # an item or pool may be called like an answer ("no"): followed by a colon it is a key, as an
            # answer never is; elsewhere entries() decides from the pool it would go to
            named = word in self.items or word in self.pools
            if kind == "answer" and named and _COLON_AHEAD.match(folded, match.end()):
                kind = "key"
            if kind != "space":
                tokens.append(_Token(kind, word, match.start(), match.end()))
            pos = match.end()
        return tokens

    def _lookup_key(self, word: str) -> str:
        """The folded key as an item or pool would know it: "7." is item 7 unless an item is called "7."."""
        if word in self.items or word in self.pools:
            return word
        stripped = word.rstrip(".")
        return stripped if stripped in self.items or stripped in self.pools else word

    # -- structure ------------------------------------------------------------------------------------

    def segments(self, tokens: list[_Token]) -> list[tuple[Pool | None, list[_Token]]]:
        """Split at pool prefixes ``name:``; text before the first prefix has no pool (``None``)."""
        segments: list[tuple[Pool | None, list[_Token]]] = [(None, [])]
        index = 0
        while index < len(tokens):
            token = tokens[index]
            is_prefix = (
                token.kind == "key"
                and self._lookup_key(token.text) in self.pools
                and index + 1 < len(tokens)
                and tokens[index + 1].kind == "colon"
            )
            if is_prefix:
                segments.append((self.pools[self._lookup_key(token.text)], []))
                index += 2
                continue
            segments[-1][1].append(token)
            index += 1
        return segments

    def entries(self, tokens: list[_Token]) -> list[_Entry]:
        entries: list[_Entry] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            if token.kind == "key":
                if after is not None and after.kind == "colon":
                    value = tokens[index + 2] if index + 2 < len(tokens) else None
                    if value is not None and (value.kind == "signed" or value.text.isdigit()):
                        entries.append(_Entry(token.text, int(value.text), token.start, value.end))
                    elif value is not None and value.kind == "answer":
                        entries.append(_Entry(token.text, _answer(value.text), token.start, value.end))
                    else:
                        end = value.end if value is not None else after.end
                        raise self._unparseable(token.start, end)
                    index += 3
                elif after is not None and after.kind == "answer" and self._is_question(token.text):  # "q1 TAK"
                    entries.append(_Entry(token.text, _answer(after.text), token.start, after.end))
                    index += 2
                else:
                    entries.append(_Entry(token.text, None, token.start, token.end))
                    index += 1
            elif token.kind == "answer" and not self._is_question(token.text):  # an item called "no"
                entries.append(_Entry(token.text, None, token.start, token.end))
                index += 1
            elif token.kind == "answer":
                entries.append(_Entry(None, _answer(token.text), token.start, token.end))
                index += 1
            elif token.kind == "gt" and _follows_choice(entries) and after is not None and after.kind == "key":
                index += 1  # "3 > 1": the order of the list is the ranking
            else:
                raise self._unparseable(token.start, token.end)
        return entries

    def _is_question(self, word: str) -> bool:
        """Whether ``word`` may stand before an answer: a question (yes / no item) or no item at all."""
        item = self.items.get(self._lookup_key(word))
        if item is None:
            return True
        return self.definition.pool(item.pool or MAIN_POOL).ballot.rule is BallotRuleKind.YES_NO_ABSTAIN

    # -- assignment -----------------------------------------------------------------------------------

    def usable_pools(self) -> list[Pool]:
        return [
            pool
            for pool in self.definition.pools
            if pool.district is None or self.district is None or pool.district == self.district
        ]

    def pool_of(self, entry: _Entry, prefixed: Pool | None) -> tuple[Pool, str | None]:
        """The pool an entry goes to and its canonical item key (the typed one when unknown)."""
        if entry.key is None:
            return self._lone_answer_pool(entry, prefixed)
        word = self._lookup_key(entry.key)
        item = self.items.get(word)
        if prefixed is not None:
            typed_key = self.text[entry.start : entry.start + len(word)]
            return prefixed, item.key if item is not None else typed_key
        if item is not None:
            return self.definition.pool(item.pool or MAIN_POOL), item.key
        typed = self.text[entry.start : entry.start + len(entry.key)]
        if entry.value is None and not any(char.isdigit() for char in word):
            raise self._unparseable(entry.start, entry.end)  # a word, not an item number
        if entry.value is not None and len(self.definition.pools) > 1 and not word.isdigit():
            raise BallotError("ballot.unknown_pool", pool=typed)
        raise BallotError("ballot.unknown_item", item=typed)

    def _lone_answer_pool(self, entry: _Entry, prefixed: Pool | None) -> tuple[Pool, str | None]:
        pools = [prefixed] if prefixed is not None else self.usable_pools()
        questions = [
            (pool, item)
            for pool in pools
            if pool.ballot.rule is BallotRuleKind.YES_NO_ABSTAIN
            for item in self.definition.items_of(pool.key)
        ]
        if len(questions) != 1:  # which question? the voter has to say: "uchwala1: TAK"
            raise self._unparseable(entry.start, entry.end)
        pool, item = questions[0]
        return pool, item.key

    def parse(self) -> Ballot:
        grouped: dict[str, list[tuple[str, _Entry]]] = {}
        for prefixed, tokens in self.segments(self.tokens()):
            for entry in self.entries(tokens):
                pool, key = self.pool_of(entry, prefixed)
                grouped.setdefault(pool.key, []).append((key or "", entry))
        ballot: Ballot = {}
        for pool in self.definition.pools:
            if pool.key in grouped:
                ballot[pool.key] = self._pool_vote(pool, grouped[pool.key])
        return ballot

    def _pool_vote(self, pool: Pool, entries: list[tuple[str, _Entry]]) -> PoolVote:
        kind = pool.ballot.rule
        if kind in _LIST_RULES:
            for _, entry in entries:
                if entry.value is not None:
                    raise self._unparseable(entry.start, entry.end)
            return [key for key, _ in entries]
        points = kind in _POINT_RULES
        vote: dict[str, int | Answer] = {}
        for key, entry in entries:
            value = entry.value
            # bool never appears; int and Answer are the two kinds of values an entry carries
            if value is None or isinstance(value, Answer) == points:
                raise self._unparseable(entry.start, entry.end)
            if key in vote:
                raise BallotError("ballot.duplicate", pool=pool.key, item=key)
            vote[key] = value
        if points:
            return {key: int(value) for key, value in vote.items()}
        answers: dict[str, str] = {key: value for key, value in vote.items() if isinstance(value, Answer)}
        return answers  # the values stay Answer members (a str subclass)


def _follows_choice(entries: list[_Entry]) -> bool:
    return bool(entries) and entries[-1].key is not None and entries[-1].value is None


def _answer(folded: str) -> Answer:
    for pattern, answer in _ANSWER_OF:
        if pattern.fullmatch(folded):
            return answer
    raise AssertionError(f"the token pattern matched {folded!r}, which is no answer")  # pragma: no cover


def item_numbers(definition: ProcessDefinition) -> dict[str, str]:
    """The numbers people see and type for items whose keys are not numbers: ``{"1": "k1", "2": "k2"}``.

    When no item of the process has a numeric key, items (sections aside) are numbered 1, 2, … in definition
    order, across pools; a process that numbers its projects itself (``12``) keeps its own numbers (empty map).
    """
    items = [item for item in definition.items if item.kind is not ItemKind.SECTION]
    if any(item.key.isdigit() for item in items):
        return {}
    return {str(number): item.key for number, item in enumerate(items, 1)}


def item_number(definition: ProcessDefinition, key: str) -> str:
    """The number an item is shown and typed with: its own key when that is a number, else its position."""
    if key.isdigit():
        return key
    for number, known in item_numbers(definition).items():
        if known == key:
            return number
    return key


def parse_ballot_text(definition: ProcessDefinition, text: str, *, district: str | None = None) -> Ballot:
    """Read a ballot from ``text`` (see the module docstring for the syntax); not validated.

    Returns a :data:`~bot.domain.Ballot` with the definition's own pool and item keys (whatever case the
    voter typed), pools in definition order, lists in the order typed, answers as :class:`Answer`; empty
    text gives ``{}``. Raises :class:`InputError` ``ballot.unparseable`` (``fragment``) for text it cannot
    read and :class:`BallotError` ``ballot.unknown_item`` / ``ballot.unknown_pool`` / ``ballot.duplicate``
    where the text is clear but names nothing or names an item twice.
    """
    return _Parser(definition, text, district).parse()


def format_ballot_text(definition: ProcessDefinition, ballot: Ballot, *, language: str = "pl") -> str:
    """Write ``ballot`` in the syntax :func:`parse_ballot_text` reads: one line per pool, in definition order.

    The pool prefix (``city: …``) is left out when the process has a single pool. Lists are written
    ``1, 2`` (rankings ``3 > 1 > 2``), points ``5:3, 12:2``, answers ``uchwala1: TAK`` (``language`` "en":
    ``YES``). Empty pool votes are left out. Raises :class:`BallotError` ``ballot.unknown_pool`` for a pool
    the definition does not have.
    """
    words = ANSWER_WORDS.get(language, ANSWER_WORDS["pl"])
    known = {pool.key for pool in definition.pools}
    for key in ballot:
        if key not in known:
            raise BallotError("ballot.unknown_pool", pool=key)
    prefix = len(definition.pools) > 1
    numbers = {key: number for number, key in item_numbers(definition).items()}
    lines = []
    for pool in definition.pools:
        vote = ballot.get(pool.key)
        if not vote:
            continue
        if isinstance(vote, Mapping):
            parts = [
                f"{numbers.get(key, key)}: {words[Answer(value)]}"
                if isinstance(value, str)
                else f"{numbers.get(key, key)}:{value}"
                for key, value in vote.items()
            ]
            body = ", ".join(parts)
        else:
            separator = " > " if pool.ballot.rule is BallotRuleKind.RANKING else ", "
            body = separator.join(numbers.get(str(key), str(key)) for key in vote)
        lines.append(f"{pool.key}: {body}" if prefix else body)
    return "\n".join(lines)

"""We know what we sent: lines of a reply that repeat our own message are never read as the member's.

Quote headers come in more languages and layouts than any list (:mod:`mail.trim`) can know; what we sent, we
know exactly. :class:`SentText` holds the lines of our messages — the invitation of the process in every
catalogue language, rendered again from its definition (it is the same for every member of a process: nothing
personal is kept, nothing is stored), and the fixed sentences of our confirmations and notices (their variable
parts become wildcards) — and :meth:`SentText.strip` removes from a reply every line, or run of lines, that
repeats one of them, normalised for what clients do to a quote: ``>``/``|`` prefixes, white space, case,
punctuation and bullets, re-wrapping (a long line of ours split over several, or several joined into one), and
HTML turned into text.

A line of ours is dropped when it is *long* (four words or more: no member writes the invitation's sentences
by chance) or when it stands next to another line of ours in the same order as we sent them (a quoted block).
A short line alone — ``uchwala1: TAK`` written by the member, equal to an example in the invitation — stays.
Variable parts of our messages (the member's own ballot and opinion quoted in a confirmation) are wildcards: a
line with three fixed words or more is ours anywhere, one with fewer (``głos: …``) only inside a quoted block.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from jinja2.exceptions import UndefinedError

from bot.definition import ProcessDefinition
from bot.i18n import LANGUAGES, Translator, translator
from mail.compose import render
from mail.invite import invitation_text
from mail.parse import html_to_text
from mail.wording import RECORDED

log = logging.getLogger(__name__)

__all__ = ["SentText", "normalise", "sent_text"]

_WORD = re.compile(r"[^\W_]+|§", re.UNICODE)
_LONG = 4  # words of letters (not numbers, not §): a line this long is ours wherever it stands
_LABEL_LINE = re.compile(r"^\s*\S[^:]{0,40}:\s*\S")
_BANNER_LINE = re.compile(r"^\s*[-=_]{2,}.*[-=_]{2,}\s*$|^\s*[-=_]{2,}\s*$")
_NEAR = 6  # lines of ours between a short line and a quoted block when the member cut some out
_MAX_RUN = 6  # reply lines joined to match one line of ours (a long line wrapped at 72 characters)
_WILDCARD = "\x00"  # stands for a variable part when fixed sentences are rendered


def normalise(line: str) -> str:
    """The words of ``line``, lower case, without diacritics, punctuation or quote prefixes, one space apart."""
    text = unicodedata.normalize("NFKD", line.replace("ł", "l").replace("Ł", "L"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(_WORD.findall(text))


def _normalise_template(line: str) -> str:
    if _WILDCARD not in line:
        return normalise(line)
    return f" {_WILDCARD} ".join(normalise(part) for part in line.split(_WILDCARD)).strip()


@dataclass(frozen=True)
class _Place:
    source: int
    start: int  # index among the source's non-blank lines
    end: int


@dataclass
class SentText:
    """What we sent, ready to be recognised in replies; build it with :meth:`of`."""

    places: dict[str, list[_Place]] = field(default_factory=dict)
    patterns: list[tuple[re.Pattern[str], _Place, bool]] = field(default_factory=list)  # (pattern, where, strong)

    @classmethod
    def of(cls, texts: Iterable[str]) -> SentText:
        """From our messages' texts (plain text, and HTML already turned into text). A ``\\x00`` in a text is a
        variable part: its line matches whatever stands there (when its fixed words are at least three)."""
        sent = cls()
        for source, text in enumerate(texts):
            lines = [_normalise_template(line) for line in text.splitlines()]
            lines = [line for line in lines if line.replace(_WILDCARD, "").strip()]
            for start in range(len(lines)):
                if _WILDCARD in lines[start]:
                    sent._pattern(lines[start], _Place(source, start, start))
                    continue
                joined = ""
                for end in range(start, min(start + _MAX_RUN, len(lines))):
                    if _WILDCARD in lines[end]:
                        break
                    joined = f"{joined} {lines[end]}".strip()
                    sent.places.setdefault(joined, []).append(_Place(source, start, end))
        return sent

    def _pattern(self, line: str, place: _Place) -> None:
        fixed = [part.strip() for part in line.split(_WILDCARD)]
        words = sum(len(part.split()) for part in fixed)
        if words == 0:
            return
        regex = re.compile(r"^" + r"\s*.+?\s*".join(re.escape(part) for part in fixed) + r"$")
        # three fixed words or more: ours anywhere; fewer ("głos: …"): only within a quoted block of ours
        self.patterns.append((regex, place, words >= 3))

    def _match(self, words: str) -> tuple[list[_Place], bool]:
        """Where ``words`` stand in what we sent, and whether that alone makes them ours (a long line)."""
        found = list(self.places.get(words, ()))
        strong = False
        for pattern, place, long in self.patterns:
            if pattern.match(words):
                found.append(place)
                strong = strong or long
        return found, strong

    def strip(self, text: str) -> str:
        """``text`` without the lines that repeat what we sent (see the module docstring)."""
        lines = text.split("\n")
        words = [normalise(line) for line in lines]
        runs: list[tuple[int, int, list[_Place], int]] = []  # (first, last reply line, places, word count)
        index = 0
        while index < len(lines):
            if not words[index]:
                index += 1
                continue
            best: tuple[list[_Place], bool] | None = None
            joined = ""
            last = index
            for end in range(index, min(index + _MAX_RUN, len(lines))):
                if not words[end]:
                    break
                joined = f"{joined} {words[end]}".strip()
                places, strong = self._match(joined)
                if places:
                    best, last = (places, strong), end
            if best is None:
                runs.append((index, index, [], 0))
                index += 1
                continue
            letters = [word for word in " ".join(words[index : last + 1]).split() if not word.isdigit() and word != "§"]
            runs.append((index, last, best[0], _LONG if best[1] else len(letters)))
            index = last + 1
        ours = [
            bool(places)
            and (
                count >= _LONG
                or any(_next_to(places, runs[other][2]) for other in (number - 1, number + 1) if 0 <= other < len(runs))
            )
            for number, (_, _, places, count) in enumerate(runs)
        ]
        # a short line of ours a little apart from a quoted block, in the same order (the member cut lines out)
        for number, (_, _, places, _) in enumerate(runs):
            if places and not ours[number]:
                near = range(max(0, number - 2), min(len(runs), number + 3))
                ours[number] = any(ours[other] and _near(places, runs[other][2], other > number) for other in near)
        drop: set[int] = set()
        for number, (first, last, _, _) in enumerate(runs):
            if ours[number]:
                drop.update(range(first, last + 1))
        drop |= _preludes(lines, drop)
        kept = [line for number, line in enumerate(lines) if number not in drop]
        while kept and not kept[-1].strip():
            kept.pop()
        while kept and not kept[0].strip():
            kept.pop(0)
        return "\n".join(kept)


def _preludes(lines: list[str], drop: set[int]) -> set[int]:
    """The header of a quote of ours in a language nobody foresaw: the lines right above a block of three or more
    of our lines that end in a colon with a date or an address (an attribution), or are two or more
    ``Label: value`` lines or a banner (a header block)."""
    found: set[int] = set()
    for start in sorted(drop):
        if start - 1 in drop or len({n for n in range(start, start + 12) if n in drop}) < 3:
            continue
        above: list[int] = []
        index = start - 1
        while index >= 0 and len(above) < 6:
            line = lines[index]
            if not line.strip():
                if above:
                    break
                index -= 1
                continue
            if index in drop or not (
                _LABEL_LINE.match(line) or line.rstrip().endswith(":") or _BANNER_LINE.match(line)
            ):
                break
            above.append(index)
            index -= 1
        if not above:
            continue
        nearest = lines[above[0]].rstrip()
        attribution = nearest.endswith(":") and bool(re.search(r"\d|@", nearest))
        if attribution or len(above) >= 2 or _BANNER_LINE.match(nearest):
            found.update(above)
    return found


def _near(places: list[_Place], others: list[_Place], others_after: bool) -> bool:
    """``others`` come within a few lines after (or before) ``places`` in the same message of ours."""
    for a in places:
        for b in others:
            if a.source != b.source:
                continue
            gap = b.start - a.end if others_after else a.start - b.end
            if 0 < gap <= _NEAR:
                return True
    return False


def _next_to(places: list[_Place], others: list[_Place]) -> bool:
    """Two runs are consecutive lines of the same message of ours (in either order)."""
    return any(a.source == b.source and (a.end + 1 == b.start or b.end + 1 == a.start) for a in places for b in others)


def sent_text(definition: ProcessDefinition, bot: str) -> SentText:
    """What we send the members of ``definition``'s process, in every catalogue language: the invitation, and
    the fixed sentences of confirmations and notices (their variable parts as wildcards)."""
    texts: list[str] = []
    w = _WILDCARD
    for language in LANGUAGES:
        t = translator(language)
        title = definition.title.get(language)
        rendered = [
            invitation_text(definition, t, bot, telegram_link=w, area_known=known, page_link=w)
            for known in (False, True)
        ]
        try:
            rendered += [_confirmation(t, title, votes, bot) for votes in (True, False)]
            rendered += [
                render("notice", t, subject=t(subject), body=body, bot=bot)
                for subject, body in (
                    ("mail.refused.subject", t("mail.refused.body")),
                    ("mail.complex.subject", t("mail.complex.body")),
                    ("mail.warn.subject", t("mail.warn.body", title=title, why=w)),
                )
            ]
        except UndefinedError:  # a template asks for more than is known here: the invitation is still recognised
            log.warning("a confirmation or notice template cannot be rendered for mail.sent; its lines are not known")
        for text, markup in rendered:
            texts += [text, html_to_text(markup)]
    return SentText.of(texts)


def _confirmation(t: Translator, title: str, votes: bool, bot: str) -> tuple[str, str]:
    """A confirmation with every kind of line, each variable part a wildcard."""
    w = _WILDCARD
    params = dict.fromkeys(("written", "text", "section", "unit", "district", "title", "slug", "id"), w)
    recorded = [t(key, **params) for key in RECORDED]
    return render(
        "confirmation",
        t,
        title=title,
        recorded=recorded,
        receipt=w,
        problems=[t("mail.confirm.problem", fragment=w, reason=w)],
        ignored=[t("mail.confirm.attachment", name=w)],
        nothing=True,
        votes=votes,
        bot=bot,
    )

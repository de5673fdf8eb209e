"""What no person may ever read, checked on every text the suite renders (the golden transcripts call it
directly; ``tests/conftest.py`` hooks it into every Telegram message the emulator receives, every e-mail the
outbox queues, every console reply and every web page the test client fetches).

:func:`problems` lists, :func:`check_reply` asserts: a raw message id, an unfilled placeholder (``{count}``), an
internal key of an example where a title exists (a pool key as ``[city]``, ``(wesola)`` or ``city: 1, 2``, a
district key such as ``wesola``, an item key such as ``k1`` or ``uchwala1``) outside a command line, an English
word in a Polish sentence, a Polish command name in an English or Ukrainian text, or a text over Telegram's
limits (4,096 characters a message, 64 bytes of ``callback_data``, 64 characters a button label).

A text's language is given by the caller where it knows it, else guessed (:func:`guess_language`: Cyrillic is
Ukrainian, then Polish and English function words are counted); the checks that depend on the language are
skipped when the guess is unsure. Everything here is a handful of regular expressions, cheap enough for every
message of the suite.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from bot.commands.registry import COMMANDS
from bot.definition import load_definition_file
from bot.i18n import catalogue_ids

__all__ = [
    "MAX_CALLBACK_DATA",
    "MAX_LABEL",
    "TELEGRAM_TEXT_LIMIT",
    "check_button",
    "check_reply",
    "guess_language",
    "problems",
]

TELEGRAM_TEXT_LIMIT = 4096
MAX_CALLBACK_DATA = 64
MAX_LABEL = 64
_EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_ID = re.compile(r"(?<![\w/.@-])[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+(?![\w-])")
# English words that must not appear in a Polish text (catalogue sentences are translated whole)
_ENGLISH_IN_POLISH = re.compile(
    r"\b(?:the|and|closed|draft|open|published|votes?|selected|round|pool|results?|receipt|basket|turnout)\b"
)
# a command as typed, to the end of its line or of the button that carries it: its words are input, not prose
_COMMAND_LINE = re.compile(r"(?<![\w/.:])/[a-z_]+\b[^\n\]]*")
_SLASHED = re.compile(r"(?<![\w/.:])/([a-z_]+)\b")
# addresses, links, markup and the scheduler's job ids ("open:bo2027:20270607T0600Z", shown to moderators)
_NOT_PROSE = re.compile(r"\S+@\S+|https?://\S+|<[^>]*>|\b[a-z_]+:[\w-]+:\d{8}T\d{4}Z\b")
_QUOTED = re.compile(r"„[^”\n]*”|«[^»\n]*»|“[^”\n]*”")
_CYRILLIC = re.compile(r"[а-яіїєґ]", re.IGNORECASE)
_POLISH_WORDS = re.compile(r"\b(?:i|w|z|na|nie|się|jest|do|że|oraz|lub|albo|twój|twoja|możesz|głos\w*)\b|[ąćęłńśźż]")
_ENGLISH_WORDS = re.compile(r"\b(?:the|and|is|to|of|you|your|for|on|in|a|are|be|not|was|this)\b")


@cache
def _ids() -> frozenset[str]:
    return frozenset(catalogue_ids("pl") | catalogue_ids("en") | catalogue_ids("uk"))


@cache
def _internal() -> re.Pattern[str]:
    """Keys of the example processes that a reader must see as titles: pool keys where they stand for a pool
    (``[city]``, ``(city)``, ``city:`` opening a line or after ``;``), district keys and item keys that are not
    plain numbers anywhere."""
    pools: set[str] = set()
    words: set[str] = set()
    for path in sorted(_EXAMPLES.glob("*.toml")):
        definition = load_definition_file(path)
        pools |= {pool.key for pool in definition.pools}
        words |= set(definition.eligibility.districts)
        words |= {item.key for item in definition.items if not item.key.isdigit()}
    # case matters: "Gmina Wieliczka" is a title, "wieliczka" alone the key
    pool_alt = "|".join(sorted(map(re.escape, pools), key=len, reverse=True))
    word_alt = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    return re.compile(
        rf"[\[(](?:{pool_alt})[\])]|(?:^|;\s*)(?:{pool_alt}):|(?<![\w/.@-])(?:{word_alt})(?![\w-])", re.MULTILINE
    )


@cache
def _polish_commands() -> frozenset[str]:
    """Command names that are Polish only (their English alias differs)."""
    return frozenset(command.name for command in COMMANDS if command.name != command.name_in("en"))


def guess_language(text: str) -> str | None:
    """``uk`` for Cyrillic text, ``pl`` or ``en`` by their function words, None when unsure."""
    letters = sum(character.isalpha() for character in text)
    if not letters:
        return None
    if len(_CYRILLIC.findall(text)) * 3 > letters:
        return "uk"
    prose = _COMMAND_LINE.sub(" ", text).lower()
    polish, english = len(_POLISH_WORDS.findall(prose)), len(_ENGLISH_WORDS.findall(prose))
    if polish >= 2 and polish > 2 * english:
        return "pl"
    if english >= 2 and english > 2 * polish:
        return "en"
    return None


def problems(text: str, language: str | None = None, *, telegram: bool = True, quotes: bool = True) -> list[str]:
    """Everything in ``text`` that a person must never read (see the module docstring); empty when it is fine.
    ``telegram=False`` for a text that is not one Telegram message (a web page, an outbox entry the sender
    splits); ``quotes=False`` leaves out what stands in quotation marks („…”, «…», “…”), where a reply quotes the
    person's own words back (the suite-wide hook; the golden transcripts check quotes too)."""
    found: list[str] = []
    if telegram and len(text) > TELEGRAM_TEXT_LIMIT:
        found.append(f"{len(text)} characters, over Telegram's {TELEGRAM_TEXT_LIMIT}")
    placeholder = _PLACEHOLDER.search(text)
    if placeholder is not None:
        found.append(f"unfilled placeholder {placeholder.group()!r}")
    raw = [word for word in _ID.findall(text) if word in _ids()]
    if raw:
        found.append(f"raw message ids {raw}")
    prose = _NOT_PROSE.sub(" ", _COMMAND_LINE.sub(" ", text))
    if not quotes:
        prose = _QUOTED.sub(" ", prose)
    internal = _internal().search(prose)
    if internal is not None:
        found.append(f"internal key {internal.group().strip()!r}")
    language = language or guess_language(text)
    if language == "pl":
        bare = re.sub(r"\b[a-z0-9]+(?:-[a-z0-9]+)+\b", " ", prose)  # slugs
        english = _ENGLISH_IN_POLISH.search(bare)
        if english is not None:
            found.append(f"English word {english.group()!r} in a Polish text")
    elif language in ("en", "uk"):
        polish = sorted({name for name in _SLASHED.findall(text) if name in _polish_commands()})
        if polish:
            found.append(f"Polish command names {polish} in an {language} text")
    return found


def check_reply(text: str, language: str | None = "pl") -> None:
    """Fail on anything in ``text`` that a person must never read (see the module docstring)."""
    found = problems(text, language)
    assert not found, "; ".join(found) + f" in:\n{text}"


def check_button(label: str, data: str) -> list[str]:
    """What is wrong with one inline button: its label as a text, and Telegram's limits on label and data."""
    found = problems(label)
    if len(label) > MAX_LABEL:
        found.append(f"button label of {len(label)} characters, over {MAX_LABEL}")
    if len(data.encode()) > MAX_CALLBACK_DATA:
        found.append(f"callback_data of {len(data.encode())} bytes, over {MAX_CALLBACK_DATA}")
    return found

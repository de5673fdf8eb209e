"""The three catalogues (pl, en, uk) are complete and hold nothing dead.

* every message id the code can ask for exists, with a non-empty text, in Polish, English and Ukrainian;
* every catalogue entry is asked for by some code (a literal id, or a family such as ``"phase." + value``);
* the three catalogues hold the same ids, with the same placeholders, and plural entries have as many forms as
  the language's ``Plural-Forms`` header says (3 in Polish and Ukrainian, 2 in English).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from bot.i18n import LANGUAGES, _catalogue, catalogue_ids
from tests.message_ids import built_ids

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "mail", "handlers")
SUFFIXES = {".py", ".html", ".j2"}
# a message id: two or more dotted lower-case words ("vote.accepted", "flows.poll.ask_title")
_ID = r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+"
# a prefix joined with a value at run time: t("phase." + …), t(f"phase.{…}"), t("phase." ~ …) in Jinja
_PREFIX = re.compile(r"""["']((?:[a-z][a-z0-9_]*\.)+[a-z0-9_]*)["']\s*[+~]|f["']((?:[a-z][a-z0-9_]*\.)+[a-z0-9_]*)\{""")


@cache
def _source_text() -> str:
    return "\n".join(
        path.read_text(encoding="utf-8")
        for folder in SOURCES
        for path in sorted((ROOT / folder).rglob("*"))
        if path.suffix in SUFFIXES and "locale" not in path.parts
    )


def _literal_ids() -> set[str]:
    """Every quoted string in the code that looks like a message id."""
    return set(re.findall(rf"""["']({_ID})["']""", _source_text()))


def _dynamic_prefixes() -> set[str]:
    return {a or b for a, b in _PREFIX.findall(_source_text())}


def _used_ids() -> set[str]:
    """The ids the code asks for: literals that are catalogue ids or look like message ids passed to ``t``,
    plus the enum families."""
    known = catalogue_ids("pl") | catalogue_ids("en") | catalogue_ids("uk")
    called = set(re.findall(rf"""\bt\(\s*["']({_ID})["']""", _source_text()))
    return {key for key in _literal_ids() if key in known} | called | built_ids()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_the_code_asks_for_is_in_every_catalogue(language: str) -> None:
    used = _used_ids()
    assert len(used) > 400
    missing = sorted(used - catalogue_ids(language))
    assert missing == [], f"missing in {language}: {missing}"


def test_no_catalogue_entry_is_dead() -> None:
    used = _used_ids()
    prefixes = _dynamic_prefixes()
    known = catalogue_ids("pl") | catalogue_ids("en") | catalogue_ids("uk")

    def built(key: str, prefix: str) -> bool:
        # "phase." + value, or a channel's own wording of another message: f"mail.{error.key}"
        rest = key[len(prefix) :]
        return key.startswith(prefix) and ("." not in rest or rest in known)

    dead = sorted(key for key in known if key not in used and not any(built(key, p) for p in prefixes))
    assert dead == [], f"catalogue entries no code uses: {dead}"


def test_the_three_catalogues_hold_the_same_ids() -> None:
    polish = catalogue_ids("pl")
    for language in ("en", "uk"):
        other = catalogue_ids(language)
        assert polish == other, f"only in pl: {sorted(polish - other)}; only in {language}: {sorted(other - polish)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_is_defined_twice_in_a_language(language: str) -> None:
    """Parallel branches merge the .po files by union: a message added on both sides must not stay twice (the
    merged catalogue would keep whichever file sorts last and log a warning at every start)."""
    folder = Path(__file__).resolve().parents[2] / "bot" / "locale" / language / "LC_MESSAGES"
    seen: dict[str, str] = {}
    twice: list[str] = []
    for path in sorted(folder.glob("*.po")):
        for key in re.findall(r'^msgid "(.+)"$', path.read_text(encoding="utf-8"), flags=re.MULTILINE):
            if key in seen:
                twice.append(f"{key} ({seen[key]}, {path.name})")
            seen.setdefault(key, path.name)
    assert twice == []


def _placeholders(strings: object) -> set[str]:
    texts = strings if isinstance(strings, tuple) else (strings,)
    return {name for text in texts for name in re.findall(r"\{(\w+)\}", str(text))}


@pytest.mark.parametrize("language", ["en", "uk"])
def test_translations_fill_the_same_placeholders_as_polish(language: str) -> None:
    polish, other = _catalogue("pl"), _catalogue(language)
    wrong = []
    for message in polish:
        if not message.id:
            continue
        translated = other.get(message.id)
        if translated is not None and _placeholders(translated.string) != _placeholders(message.string):
            wrong.append(f"{message.id!r}: {_placeholders(message.string)} vs {_placeholders(translated.string)}")
    assert wrong == []


@pytest.mark.parametrize(("language", "forms"), [("pl", 3), ("en", 2), ("uk", 3)])
def test_plural_entries_have_every_form_of_the_language(language: str, forms: int) -> None:
    catalogue = _catalogue(language)
    assert catalogue.num_plurals == forms
    short = [
        message.id[0]
        for message in catalogue
        if message.id and isinstance(message.id, tuple) and (len(message.string) != forms or not all(message.string))
    ]
    assert short == []


@pytest.mark.parametrize(
    ("count", "word"),
    [
        (1, "голос"),
        (2, "голоси"),
        (4, "голоси"),
        (5, "голосів"),
        (11, "голосів"),
        (12, "голосів"),
        (21, "голос"),
        (22, "голоси"),
        (25, "голосів"),
        (111, "голосів"),
        (1001, "голос"),
    ],
)
def test_ukrainian_plural_forms(count: int, word: str) -> None:
    from bot.i18n import translator

    assert translator("uk")("results.votes", count=count).endswith(f" {word}")

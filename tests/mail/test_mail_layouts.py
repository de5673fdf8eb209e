"""The multilingual corpus (tests/mail/corpus/layouts, written by tools/mail_corpus.py): replies laid out as the
mail clients of 14 languages lay them out — attributions (also wrapped), Outlook header blocks, "Original Message"
banners, device footers, list footers, HTML-only blockquotes — in their charsets and transfer encodings. Each goes
through the real parser (the member's own text must be exactly what the manifest says) and the real processor
(what is recorded: a vote, comments, an opinion, STOP — or, for a reply that is only a quote, nothing)."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from mail.parse import parse_message
from mail.trim import LANGUAGES
from storage.models import ReminderOptOut

LAYOUTS = Path(__file__).resolve().parent / "corpus" / "layouts"
MANIFEST: dict[str, dict[str, Any]] = tomllib.loads((LAYOUTS / "manifest.toml").read_text(encoding="utf-8"))
SLUGS = {"walne": "walne-2027", "program": "program-wspolpracy-2027"}


def _raw(room: Any, name: str) -> bytes:
    raw = (LAYOUTS / name).read_bytes()
    swaps = {
        "TOKEN_PROGRAM_ANNA": room.token("program-wspolpracy-2027", "anna.nowak@fundacja.org.pl"),
        "TOKEN_WALNE": room.token("walne-2027", "jan.kowalski@example.pl"),
        "TOKEN_PROGRAM": room.token("program-wspolpracy-2027", "jan.kowalski@example.pl"),
    }
    for placeholder, token in swaps.items():
        raw = raw.replace(placeholder.encode(), token.encode())
    return raw


def test_the_corpus_covers_150_layouts_in_14_languages() -> None:
    assert {path.name for path in LAYOUTS.glob("*.eml")} == set(MANIFEST)
    assert len(MANIFEST) >= 150
    languages = Counter(entry["language"] for entry in MANIFEST.values())
    assert set(LANGUAGES) <= set(languages)
    outcomes = Counter(entry["kind"] for entry in MANIFEST.values())
    assert outcomes["not_understood"] >= 14 * 4, "every language has replies that are only a quote"


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_the_members_own_text_is_what_remains(name: str) -> None:
    assert parse_message((LAYOUTS / name).read_bytes()).text == MANIFEST[name]["own"]


BY_LANGUAGE: dict[str, list[str]] = {}
for _name, _entry in sorted(MANIFEST.items()):
    BY_LANGUAGE.setdefault(_entry["language"], []).append(_name)


@pytest.mark.parametrize("language", sorted(BY_LANGUAGE))
@pytest.mark.texts_unchecked("the confirmation repeats each member's own words, in any language")
def test_what_the_processor_records(mailroom: Any, language: str) -> None:
    """Every layout of one language, one after the other, through one mail room: each changes exactly what its
    manifest entry says (a later vote replaces an earlier one; a reply that is only a quote changes nothing)."""
    for name in BY_LANGUAGE[language]:
        _check(mailroom, name)


def _check(room: Any, name: str) -> None:
    expected = MANIFEST[name]
    slug = SLUGS[expected["slug"]]
    sender = expected["sender"]
    member = room.person(sender)
    before_ballot = room.services.voting.current_ballot(slug, member) if slug == "walne-2027" else None
    before_opinions = {opinion.id for opinion in room.services.opinions.list(slug)}
    before_answers = {row.id for row in room.outbox("mail.confirmation")}
    outcome = room.processor.process(_raw(room, name))
    assert outcome.kind == expected["kind"], (name, outcome)
    [answer] = [row for row in room.outbox("mail.confirmation") if row.id not in before_answers]
    assert answer.address == sender
    text = " ".join(answer.payload["text"].replace("\u00a0", " ").split())
    for fragment in expected.get("confirm", []):
        assert " ".join(fragment.split()) in text, (name, text)
    if expected["kind"] == "not_understood":
        assert "W odpowiedzi nie znaleźliśmy głosu ani uwag" in text, (name, text)
    if slug == "walne-2027":
        ballot = room.services.voting.current_ballot(slug, member)
        assert ballot == ({"main": expected["vote"]} if "vote" in expected else before_ballot), name
    new = [opinion for opinion in room.services.opinions.list(slug) if opinion.id not in before_opinions]
    assert len(new) == expected["opinions"], (name, [opinion.text for opinion in new])
    if "sections" in expected:
        assert sorted(opinion.section for opinion in new) == expected["sections"], name
    if expected.get("stop"):
        with room.services.context.transaction() as session:
            opted_out = session.exec(select(ReminderOptOut).where(ReminderOptOut.person_id == member)).all()
        assert opted_out, name

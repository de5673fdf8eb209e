"""The corpus: realistic replies from Gmail, Outlook, Thunderbird, Apple Mail, Onet, WP and Interia, in Polish and
English, in several charsets and encodings, HTML-only, forwarded, broken, automatic and forged — each processed
through the real core, with the outcome ``corpus/expected.toml`` says (vote stored, opinions stored, what the one
confirmation says and what it must not repeat)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.domain import Channel
from storage.models import ReminderOptOut

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED: dict[str, dict[str, Any]] = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
JAN = "jan.kowalski@example.pl"


def _raw(room: Any, name: str) -> bytes:
    raw = (CORPUS / name).read_bytes()
    swaps = {
        "TOKEN_WALNE_JOHN": room.token("walne-2027", "john.smith@example.com"),
        "TOKEN_PROGRAM_ANNA": room.token("program-wspolpracy-2027", "anna.nowak@fundacja.org.pl"),
        "TOKEN_WALNE": room.token("walne-2027", JAN),
        "TOKEN_PROGRAM": room.token("program-wspolpracy-2027", JAN),
    }
    for placeholder, token in swaps.items():
        raw = raw.replace(placeholder.encode(), token.encode())
    return raw


def test_the_corpus_is_large_enough() -> None:
    assert len(EXPECTED) >= 30
    assert {path.name for path in CORPUS.glob("*.eml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message(mailroom: Any, name: str) -> None:
    expected = EXPECTED[name]
    slug = expected.get("slug", "walne-2027")
    sender = expected.get("sender", JAN)
    before = {row.id for row in mailroom.outbox()}
    outcome = mailroom.processor.process(_raw(mailroom, name))
    assert outcome.kind == expected["kind"], outcome
    answers = [row for row in mailroom.outbox() if row.id not in before]
    if expected["kind"] == "automatic":
        assert outcome.folder == "ignored"
        assert outcome.detail == expected.get("detail", outcome.detail), "filed by its kind, for /metrics"
        assert answers == [], "automatic mail is never answered"
        return
    assert len(answers) == 1, "exactly one answer per message"
    answer = answers[0]
    assert answer.address == sender
    assert answer.payload["headers"]["Auto-Submitted"] == "auto-generated"
    text = answer.payload["text"].replace("\u00a0", " ")
    for fragment in expected.get("confirm", []):
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    for fragment in expected.get("absent", []):
        assert fragment not in text, f"{fragment!r} leaked into:\n{text}"
    member = mailroom.services.people.find(Channel.EMAIL, sender)
    vote = expected.get("vote")
    if member is not None and slug == "walne-2027":
        ballot = mailroom.services.voting.current_ballot(slug, member.person_id)
        assert ballot == ({"main": vote} if vote else None)
    opinions = mailroom.services.opinions.list(slug)
    assert len(opinions) == expected.get("opinions", 0)
    if "sections" in expected:
        assert sorted(opinion.section or "" for opinion in opinions) == expected["sections"]
    if expected.get("stop"):
        with mailroom.services.context.transaction() as session:
            opted_out = session.exec(select(ReminderOptOut).where(ReminderOptOut.person_id == member.person_id)).all()
        assert [row.process_id for row in opted_out] == [mailroom.services.processes.get(slug).id]


def test_metrics_count_automatic_mail_by_kind(mailroom: Any) -> None:
    """Every automatic message of the corpus, then ``/metrics``: one line per kind, with its count."""
    from collections import Counter

    from fastapi.testclient import TestClient

    from bot.config import Settings
    from bot.web.app import create_web_app

    automatic = {name: entry for name, entry in EXPECTED.items() if entry["kind"] == "automatic"}
    for name in automatic:
        mailroom.processor.process(_raw(mailroom, name))
    kinds = Counter(entry["detail"] for entry in automatic.values() if "detail" in entry)
    metrics = TestClient(create_web_app(mailroom.services, Settings())).get("/metrics").text
    for kind, count in kinds.items():
        line = f'glos_mail_messages{{outcome="automatic",detail="{kind}"}} '
        assert any(row.startswith(line) and int(row.split()[-1]) >= count for row in metrics.splitlines()), line
    assert sum(int(row.split()[-1]) for row in metrics.splitlines() if 'outcome="automatic"' in row) == len(automatic)

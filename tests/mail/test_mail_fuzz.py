"""Never a crash: arbitrary bytes parse, and mangled corpus messages end in an outcome, never an exception."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mail.auto import automatic_reason
from mail.parse import parse_message

CORPUS = Path(__file__).resolve().parent / "corpus"
MESSAGES = sorted(path.read_bytes() for path in CORPUS.glob("*.eml"))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.binary(max_size=4000))
def test_any_bytes_parse(raw: bytes) -> None:
    mail = parse_message(raw, max_bytes=2000)
    assert mail.message_id
    automatic_reason(mail, ("glos@glos.example.org",))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(MESSAGES), st.integers(min_value=0, max_value=10_000), st.binary(min_size=1, max_size=40))
def test_mangled_corpus_messages_parse(raw: bytes, at: int, junk: bytes) -> None:
    position = at % len(raw)
    parse_message(raw[:position] + junk + raw[position + len(junk) :])


@pytest.mark.texts_unchecked("mangled replies are quoted back as they came")
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(MESSAGES), st.integers(min_value=0, max_value=10_000), st.binary(min_size=1, max_size=40))
def test_mangled_messages_always_end_in_an_outcome(mailroom: Any, raw: bytes, at: int, junk: bytes) -> None:
    token = mailroom.token("walne-2027", "jan.kowalski@example.pl")
    raw = raw.replace(b"TOKEN_WALNE", token.encode())
    position = at % len(raw)
    outcome = mailroom.processor.process(raw[:position] + junk + raw[position + len(junk) :])
    assert outcome.kind in {"accepted", "not_understood", "refused", "oversized", "automatic", "duplicate"}
    assert outcome.folder in {"processed", "ignored"}

"""Fixtures for the core: services on a fake clock over the shared (SQLite / PostgreSQL) store, console users."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from bot.console import ConsoleChannel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from text_checks import check_reply

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

Transcript = Sequence[tuple[str, Sequence[str]]]


def play(channel: ConsoleChannel, transcript: Transcript) -> list[str]:
    """Play a transcript: each line is sent, and each expected fragment must appear in the bot's answer."""
    answers = []
    for line, expected in transcript:
        answer = "\n".join(channel.handle(line))
        check_reply(answer, channel.caller().language)  # every reply the suite renders: no ids, keys, placeholders
        for fragment in expected:
            assert fragment in answer.replace("\u00a0", " "), f"after {line!r} expected {fragment!r} in:\n{answer}"
        answers.append(answer)
    return answers


@pytest.fixture
def talk() -> Callable[[ConsoleChannel, Transcript], list[str]]:
    """The transcript player, as a fixture (test folders are not packages)."""
    return play

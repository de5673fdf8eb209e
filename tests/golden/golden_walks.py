"""What every golden walk shares: the reader's command names, a changed ballot of the same shape, the second
round of a deliberative poll, masking of what is truly random, and the exact comparison with a golden file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.commands.registry import COMMANDS

__all__ = ["GOLDEN", "after_briefing", "changed_ballot", "command", "compare", "mask_receipts"]

GOLDEN = Path(__file__).resolve().parent
_RECEIPT = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b")


def command(name: str, language: str) -> str:
    """``/name`` as a person reading ``language`` types it (``/glosuj`` in Polish, ``/vote`` otherwise)."""
    found = COMMANDS.find(name)
    assert found is not None, name
    return "/" + found.name_in(language)


def mask_receipts(text: str) -> str:
    """Receipts are random: each becomes ``XXXX-XXXX-XXXX``."""
    return _RECEIPT.sub("XXXX-XXXX-XXXX", text)


def changed_ballot(example: str) -> str:
    """A different ballot of the same shape: one choice fewer, or the first answer or score changed."""
    if ":" not in example:
        separator = " > " if " > " in example else ", "
        parts = example.split(separator)
        return separator.join(parts[:-1]) if len(parts) > 1 else example
    first, _, rest = example.partition(" ") if ", " not in example else example.partition(", ")
    number, _, value = first.partition(":")
    value = value.strip()
    swapped = {"TAK": "NIE", "YES": "NO", "ТАК": "НІ"}.get(value, "1" if value.isdigit() and value != "1" else "2")
    return (
        f"{number}: {swapped}" + (", " if ", " in example else " ") + rest
        if ", " in example
        else f"{number}:{swapped} {rest}"
    )


def after_briefing(example: str) -> str:
    """Round 2 of a deliberative poll: every score one higher (capped at 7), so the shift shows."""
    return " ".join(
        f"{key}:{min(int(value) + 1, 7)}" for key, _, value in (part.partition(":") for part in example.split())
    )


def compare(name: str, text: str, update: bool) -> None:
    """``text`` must equal the golden file ``name`` exactly; with ``update`` (or when it is missing) it is written."""
    path = GOLDEN / name
    if update or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not update:
            pytest.fail(f"{name} did not exist; written — review it and commit it")
        return
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (review, then --update-golden)"

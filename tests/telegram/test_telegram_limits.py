"""An upload over the limit is refused before the bot downloads it, and nothing is imported."""

from __future__ import annotations

from bot.services import Services
from handlers.adapter import MAX_UPLOAD_BYTES
from handlers.emulator import Emulator
from handlers.emulator.harness import Harness


async def test_an_over_large_upload_is_refused_without_downloading_it(
    telegram: Harness, emulator: Emulator, services: Services
) -> None:
    content = b"# " + b"x" * MAX_UPLOAD_BYTES + b"\nslug = 'za-duzy'\n"
    answer = await telegram.upload(900, "proces.toml", content)
    assert answer == "Plik jest za duży (najwyżej 2 048 KB) — nic nie zostało zapisane."
    assert emulator.calls.get("getfile", 0) == 0
    assert services.processes.list() == []
    english = await telegram.upload(102, "lista.csv", b"x" * (MAX_UPLOAD_BYTES + 1), caption="/lista bo2027")
    assert english.startswith("The file is too large")

"""User text and project names reach Telegram as plain text: the bot never asks Telegram to parse markup.

The bot sends every message without ``parse_mode`` (python-telegram-bot's default), so ``<b>`` or ``<script>`` in
an opinion or in a project's name is shown as typed — nothing to escape, nothing Telegram could misread or
refuse with "can't parse entities". These tests go through the real bot and the emulator and look at the
parameters of every call the bot made. Button tokens belong to one person: another person replaying them gets a
clear refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.services import Services
from handlers.emulator import Emulator
from handlers.emulator.harness import Harness

ROOT = Path(__file__).resolve().parents[2]
MARKUP = "<b>gruba</b> & <script>alert(1)</script>"


def _spy(emulator: Emulator) -> list[tuple[str, dict[str, Any]]]:
    """Record the method and parameters of every Bot API call the bot makes (the emulator still answers)."""
    calls: list[tuple[str, dict[str, Any]]] = []
    real = emulator.call

    async def call(method: str, params: dict[str, Any], files: Any = None) -> Any:
        calls.append((method.lower(), dict(params)))
        return await real(method, params, files)

    emulator.call = call  # type: ignore[method-assign]
    return calls


async def test_markup_in_an_opinion_and_a_project_name_arrives_as_typed(
    telegram: Harness, emulator: Emulator, load_example: Callable[..., str]
) -> None:
    calls = _spy(emulator)
    load_example("bo-warszawa-2027")
    await telegram.say(101, "/dzielnica bo2027 wesola")
    opinion = await telegram.say(101, f"/opinia bo2027 {MARKUP}")
    assert "<" not in opinion or MARKUP in opinion, opinion
    listed = await telegram.say(900, "/opinie bo2027")
    assert MARKUP in listed, (opinion, listed)
    definition = (ROOT / "examples" / "zielony-budzet-wieliczka.toml").read_text(encoding="utf-8")
    definition = definition.replace('slug = "zielony-budzet-wieliczka-2027"', 'slug = "zielony-xss"')
    definition = definition.replace("Łąka kwietna przy ul. Daniłowicza", f"Łąka {MARKUP}")
    imported = await telegram.upload(900, "zielony.toml", definition.encode())
    assert "zielony-xss" in imported, imported
    shown = await telegram.say(900, "/proces zielony-xss")  # a draft: only moderators see it
    assert f"Łąka {MARKUP}" in shown
    sends = [params for method, params in calls if method in ("sendmessage", "editmessagetext", "senddocument")]
    assert sends and all(not params.get("parse_mode") for params in sends)


async def test_a_button_token_of_another_person_is_refused(telegram: Harness, emulator: Emulator) -> None:
    await telegram.say(900, "/pomoc")
    menu = await telegram.say(900, "/procesy")
    assert menu
    stolen = [data for message in emulator.received(900) for row in message.buttons for _, data in row]
    await telegram.say(102, "/start")
    own = emulator.received(102)[-1].message_id
    for data in stolen[:3]:
        update_id = emulator.tap_data(102, own, data)
        answer = await telegram.answer(102, update_id)
        assert "button" in answer.lower() or "przycisk" in answer.lower(), answer


def test_no_module_asks_telegram_to_parse_markup(services: Services) -> None:
    sources = [*(ROOT / "handlers").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]
    emulator = ROOT / "handlers" / "emulator"  # Telegram's side: it parses what other bots send
    sources = [path for path in sources if emulator not in path.parents]
    assert not [path.name for path in sources if "parse_mode" in path.read_text(encoding="utf-8")]

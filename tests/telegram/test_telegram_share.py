"""``/udostepnij`` on Telegram: a card with a deep-link button, queued for the configured group chat or posted in
the group a moderator types it in; residents are pointed to the private chat; the emulator checks URL buttons and
follows deep links like Telegram."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FakeClock
from bot.services import Services, build_services
from handlers.emulator import ApiError, Emulator
from handlers.emulator.harness import Harness
from handlers.sender import TelegramSender

MODERATOR = 900
CONFIGURED = -100500
OTHER = -100600
SECRET = b"test-secret-key-not-for-production"


@pytest.fixture
def services(session_factory: sessionmaker[Session], clock: FakeClock) -> Services:
    """The conftest's services with one configured group chat."""
    built = build_services(session_factory, clock, SECRET, group_chats=(CONFIGURED,))  # type: ignore[arg-type]
    built.people.ensure_admins([str(MODERATOR)])
    return built


async def test_a_card_goes_to_the_configured_group_once_and_its_button_leads_to_the_private_chat(
    telegram: Harness, emulator: Emulator, services: Services, load_example: Callable[..., str]
) -> None:
    slug = load_example("bo-warszawa-2027")
    emulator.group(CONFIGURED, "Mieszkańcy Wesołej", [101, MODERATOR])
    await telegram.play(
        MODERATOR,
        [
            (f"/udostepnij {slug}", ["Karta procesu bo2027 trafi na 1 czat grupowy"]),
            (f"/share {slug}", ["już dziś wysłana"]),  # a retried command posts nothing twice
            ("/udostepnij nie-ma-takiego", ["nie-ma-takiego"]),
        ],
    )
    await telegram.play(101, [(f"/udostepnij {slug}", ["tylko dla moderatorów"])])
    assert telegram.bot is not None
    report = await TelegramSender(telegram.bot.application.bot, services, rate=None).drain()
    assert report.sent == 1
    [card] = emulator.received(CONFIGURED)
    assert card.text.startswith("🗳 ") and "30.06.2027" in card.text  # the title and the closing date
    assert card.buttons == [[("Weź udział", f"https://t.me/{emulator.username}?start={slug}")]]
    answer = await telegram.tap(101, "Weź udział", chat_id=CONFIGURED)
    assert "Witaj" in answer and slug in answer, answer  # the resident's /start with the process


async def test_a_moderator_shares_inside_a_group_and_a_resident_there_is_pointed_to_the_private_chat(
    telegram: Harness, emulator: Emulator, services: Services, load_example: Callable[..., str]
) -> None:
    slug = load_example("bo-warszawa-2027")
    emulator.group(OTHER, "Sąsiedzi", [101, MODERATOR])
    posted = await telegram.answer(
        OTHER, emulator.send_text(MODERATOR, f"/udostepnij@{emulator.username} {slug}", chat_id=OTHER)
    )
    assert posted.startswith("🗳 ") and "[Weź udział]" in posted, posted
    pointed = await telegram.answer(OTHER, emulator.send_text(101, f"/udostepnij {slug}", chat_id=OTHER))
    assert "prywatnej rozmowie" in pointed and "🗳" not in pointed
    other = await telegram.answer(OTHER, emulator.send_text(MODERATOR, f"/zamknij {slug}", chat_id=OTHER))
    assert "prywatnej rozmowie" in other  # every other command, even a moderator's, stays private
    assert services.processes.get(slug).phase.value == "open"


async def test_a_draft_cannot_be_shared(
    telegram: Harness, services: Services, load_example: Callable[..., str]
) -> None:
    slug = load_example("uchwala-tak-nie", open_it=False)
    await telegram.play(MODERATOR, [(f"/udostepnij {slug}", ["jest jeszcze szkicem", f"/otworz {slug}"])])


async def test_the_emulator_checks_url_buttons_like_telegram(emulator: Emulator) -> None:
    def keyboard(button: dict[str, str]) -> dict[str, object]:
        return {"chat_id": 101, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a", **button}]]}}

    for button in ({"url": "javascript:alert(1)"}, {"url": "https://x.org", "callback_data": "d"}, {}):
        with pytest.raises(ApiError) as refused:
            await emulator.call("sendMessage", keyboard(button))
        assert refused.value.code == 400, button
    await emulator.call("sendMessage", keyboard({"url": "https://example.org/wyniki"}))
    with pytest.raises(ValueError, match="deep links"):
        emulator.tap(101, "a")  # the emulator opens no web pages

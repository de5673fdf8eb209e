"""A moderator of one organisation on Telegram (python-telegram-bot against the emulator): their menu has the
moderator commands but not the admin ones, another organisation's process is refused in their language and stays
as it was, their own organisation's process they close."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain import Channel, Phase, RoleName
from bot.services import Services
from handlers.emulator import Emulator
from handlers.emulator.harness import Harness

OF_WIELICZKA = 905


async def test_a_moderator_of_wieliczka_closes_its_consultation_and_is_refused_warsaws_budget(
    telegram: Harness, emulator: Emulator, load_example: Callable[..., str], services: Services
) -> None:
    budget = load_example("bo-warszawa-2027")
    consultation = load_example("konsultacje-program-wspolpracy-2027")
    emulator.user(OF_WIELICZKA, "Urzędniczka", "pl")
    services.people.grant(None, Channel.TELEGRAM, str(OF_WIELICZKA), RoleName.MODERATOR, organisation="wieliczka")
    await telegram.play(
        OF_WIELICZKA,
        [
            (
                f"/zamknij {budget}",
                ["/zamknij: moderujesz tylko procesy organizacji: Gmina Wieliczka. Ten proces prowadzi inna"],
            ),
            ("/status", ["/status pokazuje cały system"]),
            (f"/zamknij {consultation}", ["Zamknięto"]),
        ],
    )
    assert services.processes.get(budget).phase is Phase.OPEN
    assert services.processes.get(consultation).phase is Phase.CLOSED
    menu = [name for name, _ in emulator.commands({"type": "chat", "chat_id": OF_WIELICZKA})]
    assert "zamknij" in menu and "nadaj_role" not in menu

"""What the scheduler tells moderators, by organisation: the daily digest gives a moderator of some organisations
only their processes (and no deployment-wide signals), and a failed job of a process alerts its organisation's
moderators besides the global ones — never those of another organisation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.domain import Channel, RoleName
from bot.scheduling.digest import send_digest
from bot.scheduling.recipients import moderators
from bot.services import Services

GLOBAL, OF_WIELICZKA, OF_KRAKOW = "900", "901", "902"


def test_the_digest_and_alerts_reach_a_moderator_of_one_organisation_about_theirs_only(
    services: Services,
    load_example: Callable[..., str],
    outbox: Callable[..., list],  # type: ignore[type-arg]
) -> None:
    budget = load_example("bo-warszawa-2027")
    consultation = load_example("konsultacje-program-wspolpracy-2027")
    people = services.people
    people.grant(None, Channel.TELEGRAM, GLOBAL, RoleName.MODERATOR)
    people.grant(None, Channel.TELEGRAM, OF_WIELICZKA, RoleName.MODERATOR, organisation="wieliczka")
    people.grant(None, Channel.TELEGRAM, OF_KRAKOW, RoleName.MODERATOR, organisation="krakow")
    send_digest(services, date(2027, 9, 21))
    texts = {message.address: message.payload["text"] for message in outbox("digest")}
    assert set(texts) == {GLOBAL, OF_WIELICZKA}  # Kraków runs nothing open: its moderator gets no digest
    warszawa = services.processes.get(budget).title("pl")
    wieliczka = services.processes.get(consultation).title("pl")
    assert warszawa in texts[GLOBAL] and wieliczka in texts[GLOBAL]
    assert wieliczka in texts[OF_WIELICZKA] and warszawa not in texts[OF_WIELICZKA]
    with services.context.connection() as connection:
        of_consultation = {r.address for r in moderators(connection, services.processes.get(consultation).id)}
        of_budget = {r.address for r in moderators(connection, services.processes.get(budget).id)}
        deployment = {r.address for r in moderators(connection)}
    assert GLOBAL in of_consultation and OF_WIELICZKA in of_consultation and OF_KRAKOW not in of_consultation
    assert GLOBAL in of_budget and not of_budget & {OF_WIELICZKA, OF_KRAKOW}
    assert GLOBAL in deployment and not deployment & {OF_WIELICZKA, OF_KRAKOW}

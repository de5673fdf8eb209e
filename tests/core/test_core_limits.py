"""Every input has a size limit, and going over it is a translated refusal that changes nothing.

Text (any channel): :data:`bot.commands.dispatch.MAX_INPUT_CHARS`; opinions: :data:`MAX_OPINION_CHARS` (refused,
never cut — the text is a public record); a process definition: :data:`MAX_DEFINITION_BYTES`; a roster:
:data:`MAX_ROSTER_BYTES`. Uploads on Telegram and e-mails have their own limits, tested with those channels.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlmodel import select

from bot.commands.base import Caller
from bot.commands.dispatch import MAX_INPUT_CHARS, dispatch
from bot.commands.moderator import MAX_DEFINITION_BYTES
from bot.commands.registry import build_table
from bot.domain import Channel
from bot.rosters import MAX_ROSTER_BYTES
from bot.services import Services
from bot.services.opinions import MAX_OPINION_CHARS
from storage.models import Opinion, Process, RosterEntry

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _caller(services: Services, channel: Channel, address: str, language: str = "en") -> Caller:
    person = services.people.identify(channel, address, language=language)
    return Caller(person.person_id, channel, address, person.language, person.roles)


def test_over_long_text_is_refused_on_every_channel(services: Services) -> None:
    for channel, address in ((Channel.TELEGRAM, "4242"), (Channel.EMAIL, "a@example.pl"), (Channel.CONSOLE, "x")):
        caller = _caller(services, channel, address)
        [reply] = dispatch(build_table(), services, caller, "/pomoc " + "x" * MAX_INPUT_CHARS)
        assert reply.text == "The message is too long (at most 8,000 characters)."
        assert dispatch(build_table(), services, caller, "/pomoc " + "x" * (MAX_INPUT_CHARS - 7))


def test_an_over_long_opinion_is_refused_whole_and_nothing_is_stored(
    services: Services, load_example: Callable[..., str]
) -> None:
    slug = load_example("konsultacje-program-wspolpracy-2027")
    caller = _caller(services, Channel.TELEGRAM, "4242")
    [reply] = dispatch(build_table(), services, caller, f"/opinia {slug} " + "ż" * (MAX_OPINION_CHARS + 1))
    assert reply.text.startswith("The opinion is too long") and "Split it" in reply.text
    with services.context.transaction() as session:
        assert session.exec(select(Opinion)).all() == []
    [accepted] = dispatch(build_table(), services, caller, f"/opinia {slug} " + "ż" * MAX_OPINION_CHARS)
    with services.context.transaction() as session:
        [stored] = session.exec(select(Opinion)).all()
    assert len(stored.text) == MAX_OPINION_CHARS, accepted.text


def test_over_large_definition_and_roster_files_are_refused(
    services: Services, load_example: Callable[..., str]
) -> None:
    slug = load_example("uchwala-tak-nie")
    admin = _caller(services, Channel.CONSOLE, "moderator")
    table = build_table()
    definition = (EXAMPLES / "zielony-budzet-wieliczka.toml").read_text(encoding="utf-8")
    padded = (definition + "\n#" + "x" * MAX_DEFINITION_BYTES).encode()
    [refused] = dispatch(table, services, admin, "/importuj", attachment=padded, attachment_name="big.toml")
    assert refused.text.startswith("Plik definicji jest za duży (najwyżej 512"), refused.text  # the admin speaks Polish
    roster = ("kanal;adres\n" + "email;ktos@example.pl\n" * (MAX_ROSTER_BYTES // 20)).encode()
    assert len(roster) > MAX_ROSTER_BYTES
    [too_big] = dispatch(table, services, admin, f"/lista {slug}", attachment=roster, attachment_name="r.csv")
    assert too_big.text.startswith("Plik listy jest za duży"), too_big.text
    with services.context.transaction() as session:
        assert [p.slug for p in session.exec(select(Process)).all()] == [slug]
        assert session.exec(select(RosterEntry)).all() == []

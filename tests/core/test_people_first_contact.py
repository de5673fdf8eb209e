"""A person registered before they ever wrote (an admin from the configuration, a granted moderator) takes the
name and the client's language of their first message, as anyone new does; later messages change nothing."""

from __future__ import annotations

from bot.domain import Channel, RoleName
from bot.services import Services


def test_a_configured_admin_speaks_the_language_of_their_first_message(services: Services) -> None:
    services.people.ensure_admins(["4242"])
    first = services.people.identify(Channel.TELEGRAM, "4242", display_name="Emma", language="en")
    assert (first.language, first.display_name) == ("en", "Emma")
    assert RoleName.ADMIN in first.roles
    later = services.people.identify(Channel.TELEGRAM, "4242", display_name="Emma B.", language="uk")
    assert (later.language, later.display_name) == ("en", "Emma")  # a choice made later (/jezyk) is theirs
    assert services.people.get(first.person_id).language == "en"


def test_an_unknown_client_language_keeps_the_default(services: Services) -> None:
    services.people.ensure_admins(["4343"])
    person = services.people.identify(Channel.TELEGRAM, "4343", display_name="Jan", language=None)
    assert (person.language, person.display_name) == ("pl", "Jan")

"""Who is writing: a Telegram user as the core's :class:`~bot.commands.base.Caller`.

The person is identified by their Telegram user id (registered on first contact). Their language is the one
stored with the person; a new person starts with Telegram's ``language_code`` when the bot speaks it, and
otherwise is asked for a language by their first ``/start`` (:attr:`Caller.language_unknown`).
"""

from __future__ import annotations

from telegram import User

from bot.commands.base import Caller
from bot.domain import Channel
from bot.i18n import LANGUAGES
from bot.services import Services

__all__ = ["telegram_caller"]


def telegram_caller(services: Services, user: User) -> Caller:
    """The caller behind ``user`` (roles and language read fresh from the store)."""
    code = (user.language_code or "").split("-")[0].lower()
    person = services.people.identify(
        Channel.TELEGRAM,
        str(user.id),
        display_name=user.full_name[:200] or None,
        language=code if code in LANGUAGES else None,
        username=user.username,
    )
    return Caller(
        person.person_id,
        Channel.TELEGRAM,
        str(user.id),
        person.language,
        person.roles,
        language_unknown=code not in LANGUAGES,
        moderates=person.moderates,
    )

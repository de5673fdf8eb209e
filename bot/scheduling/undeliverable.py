"""Telling the moderators when a message to a chat could not be delivered (the bot was removed from a group,
a configured chat id does not exist): a sender reports it here when it gives up a message to a group or a
channel, and every moderator gets one message about it, on their own channel and in their language. Senders do
not report messages to people: a resident who blocked the bot is no moderator's problem.
"""

from __future__ import annotations

import logging

from bot.i18n import translator
from bot.scheduling.messages import payload_for
from bot.scheduling.recipients import moderators
from bot.services import Services
from bot.services.outbox import QueuedMessage

__all__ = ["report_removed", "report_undeliverable"]

log = logging.getLogger(__name__)


def report_undeliverable(services: Services, message: QueuedMessage, reason: str) -> int:
    """Queue one alert per moderator about ``message`` (to a group or channel); returns how many were queued."""
    queued = 0
    try:
        with services.context.connection() as connection:
            people = moderators(connection)
        for person in people:
            t = translator(person.language, services.context.zone)
            text = t("scheduler.undeliverable", chat=message.address, purpose=message.purpose, reason=reason)
            queued += services.outbox.enqueue(
                key=f"undeliverable:{message.id}:person:{person.person_id}",
                channel=person.channel,
                address=person.address,
                purpose="alert",
                person_id=person.person_id,
                payload=payload_for(
                    person.channel, subject=t("scheduler.alert_subject"), text=text, language=t.language
                ),
            )
    except Exception:  # a report that cannot be queued is logged, never fatal for the sender
        log.exception("could not report undeliverable message %s", message.key)
    return queued


def report_removed(services: Services, chat: int, title: str, occasion: str) -> int:
    """Queue one alert per moderator that the bot was removed from the group ``chat`` (once per ``occasion``, the
    removal's date: a redelivered update queues nothing new); returns how many were queued."""
    queued = 0
    with services.context.connection() as connection:
        people = moderators(connection)
    for person in people:
        t = translator(person.language, services.context.zone)
        queued += services.outbox.enqueue(
            key=f"removed:{chat}:{occasion}:person:{person.person_id}",
            channel=person.channel,
            address=person.address,
            purpose="alert",
            person_id=person.person_id,
            payload=payload_for(
                person.channel,
                subject=t("chats.removed_subject"),
                text=t("chats.removed", chat=str(chat), title=title),
                language=t.language,
            ),
        )
    return queued

"""A Telegram Bot API emulator: a real HTTP server on loopback speaking the Bot API wire format.

``glos run`` starts it when no token is configured; tests drive python-telegram-bot against it and act as users
through :class:`Emulator` (send text, tap a button, upload a file, block the bot, kick it from a group, migrate a
group, read what each chat received). ``python -m handlers.emulator`` runs it alone, for any framework: the contract
suite (``tests/telegram/contract/``) drives it with python-telegram-bot and with aiogram 3 and validates every
object it returns against aiogram's Bot API models.

The parts: :mod:`~handlers.emulator.state` (what Telegram remembers), :mod:`~handlers.emulator.updates` (long
polling and webhook delivery), :mod:`~handlers.emulator.api` (the methods, with :mod:`~handlers.emulator.params`,
:mod:`~handlers.emulator.entities` and :mod:`~handlers.emulator.markup` checking what they are given),
:mod:`~handlers.emulator.server` (HTTP) and :mod:`~handlers.emulator.driver` (acting as users, for tests).
"""

from handlers.emulator.driver import Emulator
from handlers.emulator.faults import FaultPlan
from handlers.emulator.flood import FloodControl, FloodLimits
from handlers.emulator.server import EmulatorServer, build_asgi, running_emulator
from handlers.emulator.state import ApiError, BotMessage, UploadedFile

__all__ = [
    "ApiError",
    "BotMessage",
    "Emulator",
    "EmulatorServer",
    "FaultPlan",
    "FloodControl",
    "FloodLimits",
    "UploadedFile",
    "build_asgi",
    "running_emulator",
]

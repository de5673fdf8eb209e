"""A Telegram Bot API emulator: a real HTTP server on loopback speaking the Bot API wire format.

``glos run`` starts it when no token is configured; tests drive python-telegram-bot against it and act as users
through :class:`Emulator` (send text, tap a button, upload a file, block the bot, read what each chat received).
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

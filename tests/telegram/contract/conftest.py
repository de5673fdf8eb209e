"""The contract suite's fixtures: the emulator over HTTP, driven by two independent Bot API clients behind one
small interface, so each scenario runs with both; every object the emulator returns is checked against aiogram's
Bot API models.

:class:`PtbClient` is python-telegram-bot (what the bot runs on); :class:`AiogramClient` is aiogram 3 (test-only:
a second implementation of the wire format, with its own request encoding — every file goes as ``attach://`` —
and its own pydantic models of the Bot API). A scenario speaks only this interface; a refusal comes back as
:class:`Refusal` whatever exception the framework raised.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import aiogram
import aiogram.methods
import pytest
import telegram
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
)
from aiogram.types import BufferedInputFile
from aiogram.types import InlineKeyboardButton as AioButton
from aiogram.types import InlineKeyboardMarkup as AioMarkup
from pydantic import BaseModel, TypeAdapter
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter

from handlers.emulator import ApiError, Emulator, EmulatorServer
from handlers.replies import retry_after

__all__ = ["CLIENTS", "AiogramClient", "Client", "PtbClient", "Refusal", "refusal"]

Buttons = list[list[tuple[str, str]]]  # rows of (label, callback_data)
T = TypeVar("T")


@dataclass(frozen=True)
class Refusal:
    """A refused call as either framework reports it: the kind, Telegram's description and its parameters."""

    kind: str  # "bad_request", "forbidden", "retry_after", "migrated"
    description: str
    retry_after: int | None = None
    migrate_to_chat_id: int | None = None

    @property
    def said(self) -> str:
        """The description without its "Bad Request: " / "Forbidden: " prefix, in lower case — the part both
        frameworks keep (python-telegram-bot drops the prefix and capitalises the rest)."""
        text = self.description
        for prefix in ("Bad Request: ", "Forbidden: "):
            text = text.removeprefix(prefix)
        return text.lower()


class Client(Protocol):
    """What a scenario may ask of a framework."""

    name: str

    async def start(self) -> str: ...
    async def stop(self) -> None: ...
    async def send(
        self, chat_id: int, text: str, *, parse_mode: str | None = None, buttons: Buttons | None = None
    ) -> int: ...
    async def edit_text(self, chat_id: int, message_id: int, text: str, *, buttons: Buttons | None = None) -> None: ...
    async def edit_buttons(self, chat_id: int, message_id: int, buttons: Buttons) -> None: ...
    async def edit_caption(self, chat_id: int, message_id: int, caption: str) -> None: ...
    async def answer(self, query_id: str, text: str, *, alert: bool) -> None: ...
    async def send_document(self, chat_id: int, name: str, content: bytes, caption: str) -> tuple[int, str]: ...
    async def send_photo(self, chat_id: int, content: bytes) -> str: ...
    async def download(self, file_id: str) -> bytes: ...
    async def chat(self, chat_id: int) -> tuple[str, str | None]: ...
    async def set_commands(
        self, commands: list[tuple[str, str]], *, chat_id: int | None, language: str | None
    ) -> None: ...
    async def commands(self, *, chat_id: int | None, language: str | None) -> list[tuple[str, str]]: ...
    async def delete_commands(self, *, chat_id: int | None, language: str | None) -> None: ...
    async def updates(self, offset: int) -> list[tuple[int, str]]: ...
    async def set_webhook(self, url: str, secret: str) -> None: ...
    async def delete_webhook(self) -> None: ...
    async def refusal(self, call: Awaitable[Any]) -> Refusal: ...


async def refusal(call: Awaitable[Any]) -> Refusal:
    """The refusal ``call`` ends in (an AssertionError when it succeeds)."""
    try:
        await call
    except RetryAfter as error:
        return Refusal("retry_after", error.message, retry_after=int(retry_after(error)))
    except ChatMigrated as error:
        return Refusal("migrated", error.message, migrate_to_chat_id=int(error.new_chat_id))
    except Forbidden as error:
        return Refusal("forbidden", error.message)
    except BadRequest as error:
        return Refusal("bad_request", error.message)
    except TelegramRetryAfter as error:
        return Refusal("retry_after", error.message, retry_after=error.retry_after)
    except TelegramMigrateToChat as error:
        return Refusal("migrated", error.message, migrate_to_chat_id=error.migrate_to_chat_id)
    except TelegramForbiddenError as error:
        return Refusal("forbidden", error.message)
    except TelegramBadRequest as error:
        return Refusal("bad_request", error.message)
    raise AssertionError("the call was expected to be refused")


# ------------------------------------------------------------------------------------------- python-telegram-bot


def _ptb_markup(buttons: Buttons | None) -> telegram.InlineKeyboardMarkup | None:
    if buttons is None:
        return None
    return telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in buttons]
    )


def _ptb_scope(chat_id: int | None) -> telegram.BotCommandScope:
    return telegram.BotCommandScopeDefault() if chat_id is None else telegram.BotCommandScopeChat(chat_id)


class PtbClient:
    """python-telegram-bot 22."""

    name = "python-telegram-bot"

    def __init__(self, token: str, base_url: str) -> None:
        self.bot = telegram.Bot(token, base_url=f"{base_url}/bot", base_file_url=f"{base_url}/file/bot")

    async def start(self) -> str:
        await self.bot.initialize()
        return str(self.bot.username)

    async def stop(self) -> None:
        await self.bot.shutdown()

    async def send(
        self, chat_id: int, text: str, *, parse_mode: str | None = None, buttons: Buttons | None = None
    ) -> int:
        sent = await self.bot.send_message(chat_id, text, parse_mode=parse_mode, reply_markup=_ptb_markup(buttons))
        return sent.message_id

    async def edit_text(self, chat_id: int, message_id: int, text: str, *, buttons: Buttons | None = None) -> None:
        await self.bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, reply_markup=_ptb_markup(buttons)
        )

    async def edit_buttons(self, chat_id: int, message_id: int, buttons: Buttons) -> None:
        await self.bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=_ptb_markup(buttons)
        )

    async def edit_caption(self, chat_id: int, message_id: int, caption: str) -> None:
        await self.bot.edit_message_caption(chat_id=chat_id, message_id=message_id, caption=caption)

    async def answer(self, query_id: str, text: str, *, alert: bool) -> None:
        await self.bot.answer_callback_query(query_id, text, show_alert=alert)

    async def send_document(self, chat_id: int, name: str, content: bytes, caption: str) -> tuple[int, str]:
        sent = await self.bot.send_document(chat_id, telegram.InputFile(content, filename=name), caption=caption)
        assert sent.document is not None
        return sent.message_id, sent.document.file_id

    async def send_photo(self, chat_id: int, content: bytes) -> str:
        sent = await self.bot.send_photo(chat_id, telegram.InputFile(content, filename="photo.png"))
        return sent.photo[-1].file_id

    async def download(self, file_id: str) -> bytes:
        found = await self.bot.get_file(file_id)
        return bytes(await found.download_as_bytearray())

    async def chat(self, chat_id: int) -> tuple[str, str | None]:
        info = await self.bot.get_chat(chat_id)
        return info.type, info.title

    async def set_commands(self, commands: list[tuple[str, str]], *, chat_id: int | None, language: str | None) -> None:
        await self.bot.set_my_commands(commands, scope=_ptb_scope(chat_id), language_code=language)

    async def commands(self, *, chat_id: int | None, language: str | None) -> list[tuple[str, str]]:
        found = await self.bot.get_my_commands(scope=_ptb_scope(chat_id), language_code=language)
        return [(command.command, command.description) for command in found]

    async def delete_commands(self, *, chat_id: int | None, language: str | None) -> None:
        await self.bot.delete_my_commands(scope=_ptb_scope(chat_id), language_code=language)

    async def updates(self, offset: int) -> list[tuple[int, str]]:
        found = await self.bot.get_updates(offset=offset, timeout=0)
        return [(update.update_id, _kind(update.to_dict())) for update in found]

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(url, secret_token=secret)

    async def delete_webhook(self) -> None:
        await self.bot.delete_webhook()

    async def refusal(self, call: Awaitable[Any]) -> Refusal:
        """How this client reports the refusal ``call`` ends in."""
        return await refusal(call)


# ------------------------------------------------------------------------------------------------------ aiogram


def _aio_markup(buttons: Buttons | None) -> AioMarkup | None:
    if buttons is None:
        return None
    return AioMarkup(
        inline_keyboard=[[AioButton(text=label, callback_data=data) for label, data in row] for row in buttons]
    )


def _aio_scope(chat_id: int | None) -> aiogram.types.BotCommandScopeUnion:
    if chat_id is None:
        return aiogram.types.BotCommandScopeDefault()
    return aiogram.types.BotCommandScopeChat(chat_id=chat_id)


class AiogramClient:
    """aiogram 3."""

    name = "aiogram"

    def __init__(self, token: str, base_url: str) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
        self.bot = aiogram.Bot(token, session=session)

    async def start(self) -> str:
        me = await self.bot.get_me()
        return str(me.username)

    async def stop(self) -> None:
        await self.bot.session.close()

    async def send(
        self, chat_id: int, text: str, *, parse_mode: str | None = None, buttons: Buttons | None = None
    ) -> int:
        sent = await self.bot.send_message(chat_id, text, parse_mode=parse_mode, reply_markup=_aio_markup(buttons))
        return sent.message_id

    async def edit_text(self, chat_id: int, message_id: int, text: str, *, buttons: Buttons | None = None) -> None:
        await self.bot.edit_message_text(
            text=text, chat_id=chat_id, message_id=message_id, reply_markup=_aio_markup(buttons)
        )

    async def edit_buttons(self, chat_id: int, message_id: int, buttons: Buttons) -> None:
        await self.bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=_aio_markup(buttons)
        )

    async def edit_caption(self, chat_id: int, message_id: int, caption: str) -> None:
        await self.bot.edit_message_caption(chat_id=chat_id, message_id=message_id, caption=caption)

    async def answer(self, query_id: str, text: str, *, alert: bool) -> None:
        await self.bot.answer_callback_query(query_id, text=text, show_alert=alert)

    async def send_document(self, chat_id: int, name: str, content: bytes, caption: str) -> tuple[int, str]:
        sent = await self.bot.send_document(chat_id, BufferedInputFile(content, filename=name), caption=caption)
        assert sent.document is not None
        return sent.message_id, sent.document.file_id

    async def send_photo(self, chat_id: int, content: bytes) -> str:
        sent = await self.bot.send_photo(chat_id, BufferedInputFile(content, filename="photo.png"))
        assert sent.photo
        return sent.photo[-1].file_id

    async def download(self, file_id: str) -> bytes:
        found = await self.bot.get_file(file_id)
        assert found.file_path is not None
        downloaded = await self.bot.download_file(found.file_path)
        assert downloaded is not None
        return downloaded.read()

    async def chat(self, chat_id: int) -> tuple[str, str | None]:
        info = await self.bot.get_chat(chat_id)
        return info.type, info.title

    async def set_commands(self, commands: list[tuple[str, str]], *, chat_id: int | None, language: str | None) -> None:
        listed = [aiogram.types.BotCommand(command=name, description=text) for name, text in commands]
        await self.bot.set_my_commands(listed, scope=_aio_scope(chat_id), language_code=language)

    async def commands(self, *, chat_id: int | None, language: str | None) -> list[tuple[str, str]]:
        found = await self.bot.get_my_commands(scope=_aio_scope(chat_id), language_code=language)
        return [(command.command, command.description) for command in found]

    async def delete_commands(self, *, chat_id: int | None, language: str | None) -> None:
        await self.bot.delete_my_commands(scope=_aio_scope(chat_id), language_code=language)

    async def updates(self, offset: int) -> list[tuple[int, str]]:
        found = await self.bot.get_updates(offset=offset, timeout=0)
        return [(update.update_id, _kind(update.model_dump(exclude_none=True))) for update in found]

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(url, secret_token=secret)

    async def delete_webhook(self) -> None:
        await self.bot.delete_webhook()

    async def refusal(self, call: Awaitable[Any]) -> Refusal:
        """How this client reports the refusal ``call`` ends in."""
        return await refusal(call)


def _kind(update: dict[str, Any]) -> str:
    """Which field of an Update is set (``message``, ``callback_query``…)."""
    return next(key for key, value in update.items() if key != "update_id" and value is not None)


CLIENTS: dict[str, Callable[[str, str], Client]] = {"python-telegram-bot": PtbClient, "aiogram": AiogramClient}


# --------------------------------------------------------------------------------------------------- fixtures


def _returning_types() -> dict[str, Any]:
    """Bot API method (lower case) → the type aiogram's generated code says it returns."""
    returning: dict[str, Any] = {}
    for name in dir(aiogram.methods):
        method = getattr(aiogram.methods, name)
        api_name = getattr(method, "__api_method__", None)
        if isinstance(api_name, str) and hasattr(method, "__returning__"):
            returning[api_name.lower()] = method.__returning__
    return returning


RETURNING = _returning_types()


@pytest.fixture
def validate() -> Callable[[str, Any], Any]:
    """:func:`validate_result`, for tests of the validation itself."""
    return validate_result


@pytest.fixture
def returning_types() -> dict[str, Any]:
    """Bot API method (lower case) → aiogram's model of its result."""
    return RETURNING


def _extras(value: Any, path: str = "result") -> list[str]:
    """Fields aiogram's models do not know (``extra="allow"`` keeps them quietly): each one is a finding."""
    found: list[str] = []
    if isinstance(value, BaseModel):
        found += [f"{path}.{name}" for name in value.model_extra or {}]
        for name in type(value).model_fields:
            found += _extras(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found += _extras(item, f"{path}[{index}]")
    return found


def validate_result(method: str, result: Any) -> Any:
    """``result`` of ``method`` read by aiogram's model of its return type: every required field present and of
    its type (pydantic's strict mode, where an int is not a string and a string not a bool), no unknown field."""
    adapter = TypeAdapter(RETURNING[method.lower()])
    model = adapter.validate_python(_dates(result), strict=True)
    assert not _extras(model), f"{method} returned fields outside the Bot API: {_extras(model)}"
    return model


_DATETIMES = frozenset({"date", "until_date", "forward_date", "close_date", "emoji_status_expiration_date"})


def _dates(value: Any, key: str = "") -> Any:
    """Unix seconds as datetimes in the fields aiogram declares so (``date``, ``until_date``…), which only pydantic's
    lax mode would convert; everything else keeps its wire type for strict mode."""
    if isinstance(value, dict):
        return {name: _dates(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_dates(item) for item in value]
    if key in _DATETIMES and isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    return value


@dataclass
class Recorded:
    """Every Bot API call a client made through the server, with what the emulator answered."""

    calls: list[tuple[str, dict[str, Any], Any]]

    def results(self, method: str) -> list[Any]:
        return [result for name, _, result in self.calls if name == method.lower() and result is not None]


@pytest.fixture
def recorded(emulator: Emulator) -> Recorded:
    """Wraps the emulator's entry point to keep each call's result (refusals are recorded as None)."""
    calls: list[tuple[str, dict[str, Any], Any]] = []
    real = emulator.call

    async def call(method: str, params: dict[str, Any], files: Any = None) -> Any:
        try:
            result = await real(method, params, files)
        except ApiError:
            calls.append((method.lower(), dict(params), None))
            raise
        calls.append((method.lower(), dict(params), result))
        return result

    emulator.call = call  # type: ignore[method-assign]
    return Recorded(calls)


@pytest.fixture
def server(emulator: Emulator, recorded: Recorded) -> Iterator[EmulatorServer]:
    """The emulator on loopback (``python -m handlers.emulator`` serves the same app)."""
    running = EmulatorServer(emulator).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(params=sorted(CLIENTS))
async def client(request: pytest.FixtureRequest, server: EmulatorServer, recorded: Recorded) -> AsyncIterator[Client]:
    """Each framework in turn, started against the emulator; afterwards every result it got is validated against
    aiogram's Bot API types."""
    made = CLIENTS[request.param](server.emulator.token, server.url)
    await made.start()
    try:
        yield made
    finally:
        await made.stop()
    validated = [validate_result(method, result) for method, _, result in recorded.calls if result is not None]
    assert validated, "no call was recorded"

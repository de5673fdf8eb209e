"""Hypothesis-generated Telegram updates through the real python-telegram-bot application and the real adapter.

Each generated case is a short burst of raw updates (random text with random entities, commands with random
arguments, over-long text, edited messages, callback queries with random or forged data, documents with odd names,
sizes and captions, stickers, photos, empty messages, group chats, channel posts, messages without a sender) that
the emulator serves over loopback HTTP to the bot's long polling, exactly as Telegram would. After each case:

* no log record at ERROR carries a traceback or a missing translation — the adapter's ``on_error`` catch-all
  firing counts as a failure, and so does the dispatcher's "command failed" log;
* every private-chat update that deserves an answer got one, it is not the internal-error sentence, and no
  raw message id or traceback shows;
* updates that deserve no answer (a channel post, a message without a sender, a sticker in a group) got none.

The bot runs in a thread of its own (hypothesis drives a plain function; each update is awaited on the bot's
loop until the bot finished it). Every case uses a new Telegram user, so the per-person rate limit never decides
what is answered. ``make test`` runs :data:`QUICK` cases; ``make test-slow`` runs :data:`THOROUGH` more.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands.registry import COMMANDS
from bot.i18n import translator
from bot.services import Services
from handlers.adapter import MAX_UPLOAD_BYTES
from handlers.emulator import Emulator, EmulatorServer
from handlers.emulator.harness import Harness

QUICK = 200
THOROUGH = 2000
GROUP = -1_001_000
T = TypeVar("T")
RAN: dict[str, int] = {}  # cases and updates per test, printed at the end (and in docs/SECURITY.md)


class _Errors(logging.Handler):
    """Every ERROR record with a traceback or a missing translation, from any thread."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Bot:
    """The harness running on its own event loop in a thread."""

    harness: Harness
    emulator: Emulator
    services: Services
    loop: asyncio.AbstractEventLoop
    errors: _Errors
    users: Iterator[int]

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


@pytest.fixture
def bot(emulator: Emulator, services: Services) -> Iterator[Bot]:
    """The real bot polling the emulator, driven from the test's thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fuzzed-bot", daemon=True)
    thread.start()
    server = EmulatorServer(emulator).start()
    emulator.group(GROUP, "Rada Osiedla", [101, 102])
    harness = Harness(emulator, server, services)
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    running = Bot(harness, emulator, services, loop, errors, itertools.count(5_000_000))
    running.run(harness.start())
    try:
        yield running
    finally:
        running.run(harness.stop())
        server.stop()
        logging.getLogger().removeHandler(errors)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


# ----------------------------------------------------------------- what is generated

NAMES = sorted({name for command in COMMANDS for name in command.names})
ANY_TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=200)
WORDS = st.sampled_from(["bo2027", "walne-2027", "1", "tak", "yes", "wesola", "<b>x</b>", "<script>", "99999999999999"])
COMMAND_LINES = st.builds(
    lambda name, at, args: f"/{name}{at} {' '.join(args)}".strip(),
    st.sampled_from([*NAMES, "nieznana", "START", ""]),
    st.sampled_from(["", "@glos_emulator_bot", "@someone_else"]),
    st.lists(st.one_of(WORDS, ANY_TEXT), max_size=4),
)
LONG_TEXT = st.builds(
    lambda unit, times: unit * times, st.sampled_from(["ą", "x ", "/glosuj ", "🗳"]), st.integers(4000, 9000)
)
TEXTS = st.one_of(ANY_TEXT, COMMAND_LINES, LONG_TEXT, st.sampled_from([" ", "/", "//", "/ glosuj", "\u200b/start"]))
ENTITY = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["bot_command", "bold", "url", "mention", "hashtag", "text_link", "pre", "spoiler"]),
        "offset": st.integers(0, 300),
        "length": st.integers(0, 300),
    },
    optional={"url": st.just("https://example.org"), "language": st.just("python")},
)
FILE_NAMES = st.one_of(
    st.sampled_from(["lista.csv", "proces.toml", "../../etc/passwd", "a" * 300 + ".csv", ".toml", "/", "x.CSV", "..."]),
    st.text(st.characters(codec="utf-8"), min_size=0, max_size=80),
)
CONTENT = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([b"slug = 'x'\n", b"kanal;adres\nemail;a@b.pl\n", b"\xff\xfe\x00", "zażółć;".encode()]),
)
LANGUAGES = st.sampled_from(["pl", "en", "uk", "de", None, "pt-br"])


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    """One update as a plan: its ``kind``, where it goes, and its fields; ``answered`` says if it deserves an answer."""
    kind = draw(
        st.sampled_from(["text", "text", "command", "edited", "button", "document", "huge_document", "sticker"])
        | st.sampled_from(["photo", "empty", "group_text", "group_document", "group_sticker", "channel", "no_sender"])
    )
    text = draw(COMMAND_LINES if kind == "command" else TEXTS)
    entities = draw(st.lists(ENTITY, max_size=3))
    return {
        "kind": kind,
        "text": text,
        "entities": entities,
        "name": draw(FILE_NAMES),
        "content": draw(CONTENT),
        "caption": draw(st.none() | COMMAND_LINES | ANY_TEXT),
        "data": draw(st.one_of(st.text(max_size=70), st.from_regex(r"g1:[A-Za-z0-9_-]{11}", fullmatch=True))),
    }


def _push(bot: Bot, user: int, plan: dict[str, Any]) -> tuple[int, int | None]:
    """Send the planned update as ``user``; returns its update id and the chat that must be answered (or None)."""
    emulator, kind = bot.emulator, plan["kind"]
    message = {"text": plan["text"], "entities": plan["entities"] or None}
    if kind in ("text", "command"):
        return emulator.send_raw(user, message), user
    if kind == "edited":
        first = emulator.send_raw(user, {"text": "/pomoc"})
        bot.run(bot.harness.handled(first))
        [sent] = emulator.written_by(user)[-1:]
        return emulator.send_raw(user, {**message, "message_id": sent, "edit_date": 1}, kind="edited_message"), user
    if kind == "button":
        first = emulator.send_raw(user, {"text": "/procesy"})
        bot.run(bot.harness.handled(first))
        mine = [m.message_id for m in emulator.received(user)]
        return emulator.tap_data(user, (mine or emulator.written_by(user))[-1], plan["data"]), user
    if kind == "document":
        return emulator.upload(user, plan["name"], plan["content"], caption=plan["caption"]), user
    if kind == "huge_document":  # Telegram announces the size; the bot must refuse before downloading
        document = {"file_id": "f-never-stored", "file_unique_id": "u", "file_name": plan["name"]}
        return emulator.send_raw(user, {"document": {**document, "file_size": MAX_UPLOAD_BYTES + 1}}), user
    if kind == "sticker":
        return emulator.send_sticker(user), user
    if kind == "photo":
        return emulator.send_photo(user, plan["content"]), user
    if kind == "empty":  # a message with nothing the bot knows (a dice, a poll, a future kind of content)
        return emulator.send_raw(user, {"dice": {"emoji": "🎲", "value": 3}}), user
    if kind == "group_text":
        return emulator.send_raw(user, message, chat_id=GROUP), GROUP
    if kind == "group_document":  # pointed to the private chat before anything is downloaded
        document = {"file_id": "f-never-stored", "file_unique_id": "u", "file_name": plan["name"], "file_size": 10}
        return emulator.send_raw(user, {"document": document, "caption": plan["caption"]}, chat_id=GROUP), GROUP
    if kind == "group_sticker":
        return emulator.send_raw(user, {"sticker": _STICKER}, chat_id=GROUP), None
    if kind == "channel":
        return emulator.send_raw(user, {**message, "from": None}, chat_id=GROUP, kind="channel_post"), None
    assert kind == "no_sender"
    return emulator.send_raw(user, {**message, "from": None}), None


_STICKER = {"file_id": "s", "file_unique_id": "us", "type": "regular", "width": 1, "height": 1}
_STICKER |= {"is_animated": False, "is_video": False}


def _check_case(bot: Bot, plans: list[dict[str, Any]], language: str | None) -> int:
    user = next(bot.users)
    bot.emulator.user(user, "Fuzz", language)
    failures = ("error.internal",)
    internal = {translator(code, bot.services.context.zone)(key) for code in ("pl", "en") for key in failures}
    for plan in plans:
        expect = plan["kind"] not in ("group_sticker", "channel", "no_sender")
        chats = {user, GROUP}
        before = {chat: len(bot.emulator.received(chat)) for chat in chats}
        bot.errors.records.clear()
        update_id, chat = _push(bot, user, plan)
        bot.run(bot.harness.handled(update_id))
        new = {c: [m.text for m in bot.emulator.received(c)[before[c] :]] for c in chats}
        problems = [bot.errors.format(record) for record in bot.errors.records]
        assert not problems, f"{plan!r} made the bot log errors:\n" + "\n".join(problems)
        everything = [text for texts in new.values() for text in texts]
        assert not internal & set(everything), f"{plan!r} was answered with the internal error"
        assert not any("Traceback" in text for text in everything), plan
        assert not any(text.startswith(("error.", "telegram.", "help.")) for text in everything), everything
        if expect:
            assert chat is not None and new[chat], f"{plan!r} got no answer in chat {chat}"
        else:
            assert not any(new.values()), f"{plan!r} deserved no answer but got {new}"
    return len(plans)


def _run(bot: Bot, name: str, examples: int) -> None:
    count = {"cases": 0, "updates": 0}

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(updates(), min_size=1, max_size=3), LANGUAGES)
    def case(plans: list[dict[str, Any]], language: str | None) -> None:
        count["updates"] += _check_case(bot, plans, language)
        count["cases"] += 1

    case()
    RAN[name] = count["cases"]
    print(f"\n{name}: {count['cases']} generated cases, {count['updates']} updates through the real bot")
    assert count["cases"] >= examples // 2  # hypothesis may stop early only when it has nothing new to try


def test_generated_updates_never_crash_and_always_get_an_answer(bot: Bot) -> None:
    _run(bot, "quick", QUICK)


@pytest.mark.slow
def test_many_more_generated_updates(bot: Bot) -> None:
    _run(bot, "thorough", THOROUGH)

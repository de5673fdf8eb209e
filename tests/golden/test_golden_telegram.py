"""Golden transcripts through Telegram: for every example process, in Polish, English and Ukrainian, a resident
and a moderator talk to the real python-telegram-bot bot through the project's Bot API emulator over loopback
HTTP, and the whole of every message the bot sends — its text, its inline keyboard row by row, the answer to a
tapped button — is compared exactly with a reviewed file ``tests/golden/<example>.telegram.<lang>.txt``.

The walk is what a resident does: ``/start`` from a poster's link, the district button (or an invite code, or a
roster entry), a ballot — built in the basket with buttons for a budget, typed as the bot's own example
otherwise — a change of it, ``/moj_glos``, then the moderator's turnout, close (and the publish button), and the
results the resident reads; a consultation gets a remark on a section and one on the whole. The clock is fake,
the ids are fixed, and only the receipts (random by design) and the invite code are masked. Rewrite with
``--update-golden`` (or ``GLOS_UPDATE_GOLDEN=1``) and read the diff.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FakeClock
from bot.definition.loader import load_definition_file
from bot.definition.model import ProcessDefinition
from bot.domain import BallotRuleKind, Channel, ProcessKind
from bot.i18n import LANGUAGES
from bot.rosters import parse_roster_csv
from bot.services import Services, build_services
from bot.views.examples import example_ballot
from handlers.emulator import Emulator, EmulatorServer, FloodLimits
from handlers.emulator.harness import Harness
from handlers.emulator.state import BotMessage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from golden_walks import GOLDEN, after_briefing, changed_ballot, command, compare, mask_receipts
from text_checks import check_reply

EXAMPLES = sorted((GOLDEN.parents[1] / "examples").glob("*.toml"))
RESIDENT, MODERATOR = 101, 900
SECRET = b"test-secret-key-not-for-production"


@pytest.fixture
def services(session_factory: sessionmaker[Session], clock: FakeClock) -> Services:
    """All services on the test store; the Telegram user 900 is an admin."""
    built = build_services(session_factory, clock, SECRET)  # type: ignore[arg-type]
    built.people.ensure_admins([str(MODERATOR)])
    return built


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> str:
    """The language both users' Telegram clients are set to."""
    return str(request.param)


@pytest.fixture
async def telegram(services: Services, language: str) -> AsyncIterator[Harness]:
    """The bot running on an emulator whose two users speak ``language``."""
    emulator = Emulator(limits=FloodLimits.off())
    emulator.user(RESIDENT, "Ania", language)
    emulator.user(MODERATOR, "Moderator", language)
    server = EmulatorServer(emulator).start()
    harness = Harness(emulator, server, services)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
        server.stop()


class TelegramWalk:
    """Plays lines and taps as users and records everything the bot showed them, checked and masked."""

    def __init__(self, telegram: Harness, language: str) -> None:
        self.telegram = telegram
        self.language = language
        self.lines: list[str] = []
        self.masks: dict[str, str] = {}

    async def say(self, user: int, text: str) -> list[BotMessage]:
        """``user`` sends ``text``; the messages the bot sent or changed in their chat."""
        emulator = self.telegram.emulator
        before = {m.message_id: m.edits for m in emulator.received(user)}
        await self.telegram.handled(emulator.send_text(user, text))
        return self._record(user, f"> {text}", before, toast=None)

    async def tap(self, user: int, label: str) -> list[BotMessage]:
        """``user`` taps the newest button labelled ``label``; what changed, and the answer to the tap."""
        emulator = self.telegram.emulator
        before = {m.message_id: m.edits for m in emulator.received(user)}
        update_id = emulator.tap(user, label)
        await self.telegram.handled(update_id)
        with emulator.state.lock:
            answered = [q for q in emulator.state.callbacks.values() if q.get("user_id") == user]
        toast = answered[-1].get("text") if answered else None
        return self._record(user, f"[tap] {label}", before, toast=toast)

    def buttons(self, user: int) -> list[str]:
        """The labels of the newest message with buttons in ``user``'s chat."""
        for message in reversed(self.telegram.emulator.received(user)):
            if message.labels:
                return message.labels
        return []

    def _record(self, user: int, action: str, before: dict[int, int], toast: str | None) -> list[BotMessage]:
        who = "ania" if user == RESIDENT else "moderator"
        for secret, mask in self.masks.items():
            action = action.replace(secret, mask)
        self.lines.append(f"[{who}] {action}")
        changed = [m for m in self.telegram.emulator.received(user) if before.get(m.message_id, -1) != m.edits]
        if toast:
            self._check(toast)
            self.lines.append(f"(answer to the tap) {toast}")
        for message in changed:
            self._check(message.text)
            edited = message.message_id in before
            self.lines.append(f"--- message {message.message_id}{' (edited)' if edited else ''}")
            self.lines.append(self._shown(message.text))
            for row in message.buttons:
                for label, data in row:
                    self._check(label)
                    assert len(data.encode()) <= 64, f"callback_data over 64 bytes: {data!r}"
                self.lines.append("  " + " ".join(f"[{self._shown(label)}]" for label, _ in row))
            if message.document is not None:
                self.lines.append(f"📎 {message.document.filename}")
        self.lines.append("")
        return changed

    def _check(self, text: str) -> None:
        check_reply(text.replace("\u00a0", " "), self.language)

    def _shown(self, text: str) -> str:
        shown = mask_receipts(text.replace("\u00a0", " "))
        for secret, mask in self.masks.items():
            shown = shown.replace(secret, mask)
        return shown

    def text(self) -> str:
        return "\n".join(self.lines)


async def _become_eligible(walk: TelegramWalk, definition: ProcessDefinition, services: Services, c: Callable) -> None:
    slug = definition.slug
    if definition.eligibility.districts:
        await walk.tap(RESIDENT, walk.buttons(RESIDENT)[0])  # the first district the bot offers
    if definition.eligibility.mode.value == "invite_code":
        [code] = services.eligibility.issue_codes(slug, 1)
        walk.masks[code] = "KOD-ZAPROSZENIA"
        await walk.say(RESIDENT, f"{c('kod')} {slug} {code}")


async def _vote_in_the_basket(walk: TelegramWalk, definition: ProcessDefinition, c: Callable) -> None:
    """As many projects of the first pool as its rule asks for (at least two) added with buttons and cast; then
    the first swapped for the next one and the change cast."""
    slug, ballot = definition.slug, definition.pools[0].ballot
    wanted = max(2, ballot.min, (ballot.max or 0) if ballot.rule is BallotRuleKind.EXACTLY else 0)
    if ballot.rule is BallotRuleKind.RANKING and ballot.min:
        wanted = max(wanted, ballot.min)
    await walk.say(RESIDENT, f"{c('koszyk')} {slug}")
    for _ in range(wanted):
        await walk.tap(RESIDENT, next(label for label in walk.buttons(RESIDENT) if label.startswith("➕")))
    await walk.tap(RESIDENT, walk.buttons(RESIDENT)[-1])  # confirm is the last button
    await walk.say(RESIDENT, f"{c('koszyk')} {slug}")
    removed = next(label for label in walk.buttons(RESIDENT) if label.startswith("✅"))
    await walk.tap(RESIDENT, removed)
    added = "➕" + removed.removeprefix("✅")
    other = next(label for label in walk.buttons(RESIDENT) if label.startswith("➕") and label != added)
    await walk.tap(RESIDENT, other)
    await walk.tap(RESIDENT, walk.buttons(RESIDENT)[-1])


async def _vote_by_text(walk: TelegramWalk, definition: ProcessDefinition, language: str, c: Callable) -> None:
    slug = definition.slug
    district = definition.eligibility.districts[0] if definition.eligibility.districts else None
    example = example_ballot(definition, language, district)  # the first district button is the first district
    prefix = {"pl": "runda", "en": "round", "uk": "раунд"}[language] + " 1 " if definition.rounds > 1 else ""
    await walk.say(RESIDENT, f"{c('glosuj')} {slug} {prefix}{example}")
    await walk.say(RESIDENT, f"{c('glosuj')} {slug} {prefix}{changed_ballot(example)}")
    if definition.rounds > 1:  # round 2 is refused until the moderator marks the briefing held
        second = f"{c('glosuj')} {slug} {prefix.replace('1', '2')}{after_briefing(example)}"
        await walk.say(RESIDENT, second)
        await walk.say(MODERATOR, f"{c('spotkanie_odbyte')} {slug}")
        await walk.say(RESIDENT, second)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
async def test_telegram_walk(
    path: Path,
    language: str,
    telegram: Harness,
    services: Services,
    load_example: Callable[..., str],
    update_golden: bool,
    database_url: str,
) -> None:
    definition = load_definition_file(path)
    slug = load_example(path.stem)
    walk = TelegramWalk(telegram, language)
    c = lambda name: command(name, language)  # noqa: E731
    if definition.eligibility.mode.value == "roster":
        services.eligibility.import_roster(
            slug, parse_roster_csv(f"name,telegram\nAnia,{RESIDENT}\n", channel=Channel.TELEGRAM)
        )
    await walk.say(RESIDENT, f"/start {slug}")
    await _become_eligible(walk, definition, services, c)
    if definition.kind is ProcessKind.CONSULTATION:
        section = definition.sections()[0].number
        await walk.say(RESIDENT, f"{c('opinia')} {slug} {section} Proszę dopisać termin konsultacji.")
        await walk.say(RESIDENT, f"{c('opinia')} {slug} Dobry projekt, dziękujemy.")
        await walk.say(MODERATOR, f"{c('opinie')} {slug}")
    else:
        if definition.kind is ProcessKind.BUDGET:
            await _vote_in_the_basket(walk, definition, c)
        else:
            await _vote_by_text(walk, definition, language, c)
        await walk.say(RESIDENT, f"{c('moj_glos')} {slug}")
    await walk.say(MODERATOR, f"{c('frekwencja')} {slug}")
    await walk.say(MODERATOR, f"{c('zamknij')} {slug}")
    await walk.tap(MODERATOR, walk.buttons(MODERATOR)[0])  # publish the results
    await walk.say(RESIDENT, f"{c('wyniki')} {slug}")
    name = f"{path.stem}.telegram.{language}.txt"
    if database_url.startswith("sqlite"):
        compare(name, walk.text(), update_golden)
    else:  # PostgreSQL must say exactly the same
        assert walk.text() == (GOLDEN / name).read_text(encoding="utf-8")

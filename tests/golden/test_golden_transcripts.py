"""Golden transcripts: for every example process, in Polish, English and Ukrainian, the whole text of every
reply of a realistic walk through the console (start, eligibility, vote, change, my vote, close, publish,
results) and of the e-mail invitation, compared exactly with a reviewed file in ``tests/golden/``.

A change of wording shows as a diff of these files. They are rewritten only on purpose:
``pytest tests/golden --update-golden`` (or ``GLOS_UPDATE_GOLDEN=1``); read the diff before committing it.
Every reply also passes :func:`text_checks.check_reply` (no raw ids, placeholders, keys, English in Polish).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.console import ConsoleChannel
from bot.definition.loader import load_definition_file
from bot.domain import Channel, ProcessKind
from bot.i18n import LANGUAGES, translator
from bot.rosters import parse_roster_csv
from bot.services import Services
from bot.views.examples import example_ballot
from mail.invite import invitation_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from golden_walks import GOLDEN, after_briefing, changed_ballot, command, compare, mask_receipts
from text_checks import check_reply

EXAMPLES = sorted((GOLDEN.parents[1] / "examples").glob("*.toml"))


class Walk:
    """Records ``> line`` and the whole reply for each line, receipts and codes masked."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.lines: list[str] = []
        self.masks: dict[str, str] = {}

    def say(self, who: ConsoleChannel, name: str, line: str) -> str:
        reply = "\n".join(who.handle(line))
        check_reply(reply, self.language)
        shown = mask_receipts(reply)
        for secret, mask in self.masks.items():
            shown = shown.replace(secret, mask)
            line = line.replace(secret, mask)
        self.lines += [f"[{name}] > {line}", shown, ""]
        return reply

    def text(self) -> str:
        return "\n".join(self.lines)


def _walk(
    path: Path, language: str, services: Services, console: Callable[..., ConsoleChannel], load: Callable[..., str]
) -> str:
    definition = load_definition_file(path)
    slug = load(path.stem)
    walk = Walk(language)
    c = lambda name: command(name, language)  # noqa: E731
    resident = console("ania", language)
    moderator = console("moderator", language)
    if language != "pl":
        walk.say(resident, "ania", f"/jezyk {language}")
        walk.say(moderator, "moderator", f"/jezyk {language}")
    walk.say(resident, "ania", f"/start {slug}")
    district = definition.eligibility.districts[0] if definition.eligibility.districts else None
    if district is not None:
        walk.say(resident, "ania", f"{c('dzielnica')} {slug} {district}")
    if definition.eligibility.mode.value == "invite_code":
        [code] = services.eligibility.issue_codes(slug, 1)
        walk.masks[code] = "KOD-ZAPROSZENIA"
        walk.say(resident, "ania", f"{c('kod')} {slug} {code}")
    if definition.eligibility.mode.value == "roster":
        services.eligibility.import_roster(slug, parse_roster_csv("name,console\nAnia,ania\n", channel=Channel.CONSOLE))
    if definition.kind is ProcessKind.CONSULTATION:
        sections = definition.sections()
        walk.say(resident, "ania", f"{c('opinia')} {slug} {sections[0].number} Proszę dopisać termin konsultacji.")
        walk.say(resident, "ania", f"{c('opinia')} {slug} Dobry projekt, dziękujemy.")
        walk.say(resident, "ania", f"{c('opinia')} {slug} {sections[-1].number} Jednak bez zmian.")
        walk.say(resident, "ania", f"{c('wycofaj_uwage')} 3")
        walk.say(resident, "ania", f"{c('czytaj')} {slug} 2")
        walk.say(resident, "ania", f"{c('uwaga_do')} {slug} {sections[1].key}")
        walk.say(resident, "ania", "Proszę dopisać cel: cyfryzacja organizacji.")
        walk.say(moderator, "moderator", f"{c('opinie')} {slug}")
        walk.say(moderator, "moderator", f"{c('zatwierdz')} 1")  # the general remark is left unreviewed
    else:
        example = example_ballot(definition, language, district)
        prefix = {"pl": "runda", "en": "round", "uk": "раунд"}[language] + " 1 " if definition.rounds > 1 else ""
        walk.say(resident, "ania", f"{c('glosuj')} {slug} {prefix}{example}")
        walk.say(resident, "ania", f"{c('glosuj')} {slug} {prefix}{changed_ballot(example)}")
        if definition.rounds > 1:  # round 2 is refused until the moderator marks the briefing held
            second = prefix.replace("1", "2")
            walk.say(resident, "ania", f"{c('glosuj')} {slug} {second}{after_briefing(example)}")
            walk.say(moderator, "moderator", f"{c('spotkanie_odbyte')} {slug}")
            walk.say(resident, "ania", f"{c('glosuj')} {slug} {second}{after_briefing(example)}")
        walk.say(resident, "ania", f"{c('moj_glos')} {slug}")
    walk.say(moderator, "moderator", f"{c('frekwencja')} {slug}")
    walk.say(moderator, "moderator", f"{c('zamknij')} {slug}")
    walk.say(moderator, "moderator", f"{c('opublikuj')} {slug}")
    walk.say(resident, "ania", f"{c('wyniki')} {slug}")
    return walk.text()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_console_walk(
    path: Path,
    language: str,
    services: Services,
    console: Callable[..., ConsoleChannel],
    load_example: Callable[..., str],
    update_golden: bool,
    database_url: str,
) -> None:
    text = _walk(path, language, services, console, load_example)
    if database_url.startswith("sqlite"):
        compare(f"{path.stem}.console.{language}.txt", text, update_golden)
    else:  # PostgreSQL must say exactly the same
        assert text == (GOLDEN / f"{path.stem}.console.{language}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_email_invitation(path: Path, language: str, update_golden: bool) -> None:
    definition = load_definition_file(path)
    page = f"https://glos.example/p/{definition.slug}/projekt"  # shown only where the process has a draft's units
    text, _html = invitation_text(definition, translator(language), "Głos", page_link=page)
    check_reply(text, language)
    compare(f"{path.stem}.email-invitation.{language}.txt", text, update_golden)

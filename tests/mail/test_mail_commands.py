"""An e-mail line is a command of the one table: for each kind of line, chat and e-mail reach the same decision.

Two members of the same roster take the same step, one typing the chat command (through ``dispatch``, as the
console and Telegram do), the other writing the e-mail line (through the real mail processor). The decisions —
the message each reply states and whether it is a refusal — must be the same; so must what is stored. The
e-mail confirmation words them for e-mail: it never names a slash command, and it reads as a whole (see
``test_the_confirmation_reads_right``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest

import mail.processor
from bot.commands.base import Caller
from bot.commands.dispatch import dispatch, invoke
from bot.commands.registry import COMMANDS
from bot.definition import load_definition_file
from bot.domain import Channel
from bot.i18n import LANGUAGES, _catalogue, catalogue_ids
from bot.replies import Reply
from bot.services.eligibility import RosterRow
from mail.invite import invite_roster
from mail.tokens import expand_tokens
from tests.mail.test_mail_every_kind import CLOSES, OPENS

ROOT = Path(__file__).resolve().parents[2]
EWA, OLEK = "ewa@stowarzyszenie.org.pl", "olek@fundacja.org.pl"
_COMMAND = re.compile(r"(?<![\w/<])/[a-z_]{3,}")


def _open(mailroom: Any, stem: str) -> tuple[str, str]:
    """Open the example ``stem`` with Ewa and Olek on its roster and invite them; (slug, Ewa's reply address)."""
    services, clock = mailroom.services, mailroom.clock
    now = clock.now()
    definition = load_definition_file(ROOT / "examples" / f"{stem}.toml")  # "verified/…" too
    definition = definition.model_copy(update={"opens_at": OPENS, "closes_at": CLOSES})
    if services.processes.find(definition.slug) is None:
        clock.set(OPENS)
        services.processes.import_definition(definition)
        services.processes.open(definition.slug)
        clock.set(now)
    rows = [RosterRow(Channel.EMAIL, EWA, name="Ewa"), RosterRow(Channel.EMAIL, OLEK, name="Olek")]
    services.eligibility.import_roster(definition.slug, rows)
    invite_roster(services, mailroom.addressing, definition.slug)
    [invitation] = [
        row
        for row in mailroom.outbox("mail.invitation")
        if row.key.endswith(f"{definition.slug}:" + str(mailroom.person(EWA)))
    ]
    return definition.slug, expand_tokens(invitation.payload["headers"]["Reply-To"], services.context.secret)


def _by_chat(mailroom: Any, line: str) -> list[Reply]:
    """Olek types ``line`` in chat (the console channel: the same dispatch as Telegram)."""
    caller = Caller(mailroom.person(OLEK), Channel.CONSOLE, OLEK, "pl")
    return dispatch(COMMANDS, mailroom.services, caller, line)


def _by_mail(mailroom: Any, reply_to: str, body: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Reply], str]:
    """Ewa replies ``body``; the replies of the commands her lines became, and the confirmation's text."""
    seen: list[Reply] = []

    def recording(*args: Any, **kwargs: Any) -> list[Reply]:
        replies = invoke(*args, **kwargs)
        seen.extend(replies)
        return replies

    monkeypatch.setattr(mail.processor, "invoke", recording)
    message = EmailMessage()
    message["From"] = f"Ewa <{EWA}>"
    message["To"] = reply_to
    message["Subject"] = "Re: Zaproszenie"
    message["Message-ID"] = make_msgid(domain="stowarzyszenie.org.pl")
    message.set_content(body)
    mailroom.processor.process(message.as_bytes())
    return seen, str(mailroom.outbox("mail.confirmation")[-1].payload["text"])


def _decisions(replies: list[Reply]) -> list[tuple[str, bool]]:
    return [(reply.said.key, reply.refused) for reply in replies if reply.said is not None]


_SERIALS = iter(range(1000, 9999))


def _pesel() -> str:
    """A fresh valid PESEL (born 1 January 1980): each member is a resident of their own."""
    digits = f"800101{next(_SERIALS):04d}"
    check = (10 - sum(int(d) * w for d, w in zip(digits, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3), strict=True)) % 10) % 10
    return digits + str(check)


def _code(mailroom: Any, slug: str) -> str:
    [code] = mailroom.services.eligibility.issue_codes(slug, 1)
    return str(code)


# (example, steps before — each a chat line and the e-mail line for it —, the chat line, the e-mail line, the
# decision both must reach). {code} is a fresh invite code for each member.
CASES: list[tuple[str, list[tuple[str, str]], str, str, str]] = [
    ("uchwala-tak-nie", [], "/glosuj walne-2027 uchwala1: TAK", "uchwala1: TAK", "vote.accepted"),
    (
        "uchwala-tak-nie",
        [("/glosuj walne-2027 1: NIE", "1: NIE")],
        "/glosuj walne-2027 1: TAK",
        "1: TAK",
        "vote.changed",
    ),
    ("uchwala-tak-nie", [], "/glosuj walne-2027 uchwala7: TAK", "uchwala7: TAK", "ballot.unknown_item"),
    ("bo-warszawa-2027", [], "/glosuj bo2027 city: 1", "city: 1", "eligibility.need_district"),
    ("bo-warszawa-2027", [], "/dzielnica bo2027 wesola", "dzielnica: wesola", "district.set"),
    ("bo-warszawa-2027", [], "/dzielnica bo2027 atlantyda", "dzielnica: atlantyda", "eligibility.unknown_district"),
    (
        "bo-warszawa-2027",
        [("/dzielnica bo2027 wesola", "dzielnica: wesola"), ("/glosuj bo2027 wesola: 12", "wesola: 12")],
        "/dzielnica bo2027 bemowo",
        "dzielnica: bemowo",
        "eligibility.district_locked",
    ),
    (
        "indeks-przyjaznego-samorzadu",
        [],
        "/dzielnica indeks-2027 niepolomice",
        "gmina: niepolomice",
        "district.set_plain",
    ),
    ("sondaz-deliberatywny-transport", [], "/kod sondaz-transport-2027 {code}", "kod: {code}", "code.accepted"),
    (
        "sondaz-deliberatywny-transport",
        [],
        "/kod sondaz-transport-2027 ZZZZ-ZZZZ",
        "kod: ZZZZ-ZZZZ",
        "eligibility.bad_code",
    ),
    (
        "sondaz-deliberatywny-transport",
        [("/kod sondaz-transport-2027 {code}", "kod: {code}")],
        "/glosuj sondaz-transport-2027 runda 2 1:7 2:3 3:6 4:2",
        "runda 2\n1:7 2:3 3:6 4:2",
        "vote.accepted",
    ),
    (
        "konsultacje-program-wspolpracy-2027",
        [],
        "/opinia program-wspolpracy-2027 Program jest za krótki.",
        "Program jest za krótki.",
        "opinion.accepted",
    ),
    (
        "konsultacje-program-wspolpracy-2027",
        [],
        "/opinia program-wspolpracy-2027 §2: Za mało konkursów.",
        "§ 2: Za mało konkursów.",
        "opinion.accepted_section",
    ),
    (
        "konsultacje-program-wspolpracy-2027",
        [],
        "/opinia program-wspolpracy-2027 §99: Nie ma takiej części.",
        "§ 99: Nie ma takiej części.",
        "opinion.unknown_section",
    ),
    ("konsultacje-program-wspolpracy-2027", [], "/glosuj program-wspolpracy-2027 TAK", "TAK", "vote.consultation"),
    ("uchwala-tak-nie", [], "/nie_przypominaj walne-2027", "STOP", "scheduler.optout.process"),
    ("verified/bo-pesel-2027", [], "/glosuj bo-pesel-2027 1", "1", "verify.needed.pesel"),
    ("verified/bo-pesel-2027", [], "/pesel bo-pesel-2027 {pesel}", "PESEL: {pesel}", "verify.done.pesel"),
    ("verified/bo-pesel-2027", [], "/pesel bo-pesel-2027 80010112345", "PESEL: 80010112345", "verify.pesel_checksum"),
    (
        "verified/bo-pesel-2027",
        [("/pesel bo-pesel-2027 {pesel}", "PESEL: {pesel}")],
        "/glosuj bo-pesel-2027 1",
        "1",
        "vote.accepted",
    ),
]


def _fill(line: str, code: Callable[[], str]) -> str:
    line = line.replace("{code}", code()) if "{code}" in line else line
    return line.replace("{pesel}", _pesel())


@pytest.mark.parametrize(("stem", "before", "chat", "line", "decision"), CASES, ids=[case[-1] for case in CASES])
def test_chat_and_email_reach_the_same_decision(
    mailroom: Any,
    monkeypatch: pytest.MonkeyPatch,
    stem: str,
    before: list[tuple[str, str]],
    chat: str,
    line: str,
    decision: str,
) -> None:
    slug, reply_to = _open(mailroom, stem)
    code = lambda: _code(mailroom, slug)  # noqa: E731 - a fresh code each time it is asked for
    for chat_step, mail_step in before:
        assert not any(reply.refused for reply in _by_chat(mailroom, _fill(chat_step, code)))
        replies, _ = _by_mail(mailroom, reply_to, _fill(mail_step, code), monkeypatch)
        assert not any(reply.refused for reply in replies)
    by_chat = _by_chat(mailroom, _fill(chat, code))
    written = _fill(line, code)
    by_mail, text = _by_mail(mailroom, reply_to, written, monkeypatch)
    assert _decisions(by_chat) == _decisions(by_mail)
    assert _decisions(by_mail)[0][0] == decision
    assert _COMMAND.search(text) is None, text  # e-mail says which line to write, never a chat command
    if written.startswith(("PESEL:", "kod:")):  # a PESEL or a code is never quoted back
        assert written.split(":", 1)[1].strip() not in text
    services = mailroom.services
    ewa, olek = mailroom.person(EWA), mailroom.person(OLEK)
    if services.processes.get(slug).definition.kind.value != "consultation":
        for round_no in (1, 2):
            assert services.voting.current_ballot(slug, ewa, round_no=round_no) == services.voting.current_ballot(
                slug, olek, round_no=round_no
            )


# The two confirmations of test_the_confirmation_reads_right, whole, in each language (KOD: the receipt).
REFUSED = {
    "pl": "Dzień dobry,\n\n"
    "dziękujemy za odpowiedź w sprawie: Budżet obywatelski 2027. Oto, co z niej wynika.\n\n"
    "Nie zrozumieliśmy:\n"
    "  * „city: 1” — Aby wziąć udział, dopisz w odpowiedzi osobną linię ze swoją dzielnicą, "
    "np. „dzielnica: NAZWA” (Bemowo, Wesoła, Ursynów).\n\n"
    "Aby coś zmienić, po prostu odpowiedz na tę wiadomość — liczy się ostatni głos.\n\n"
    "-- \n"
    "Wiadomość wysłana automatycznie przez system Głos.\n",
    "en": "Hello,\n\n"
    "thank you for your reply about: Participatory budget 2027. Here is what we made of it.\n\n"
    "Not understood:\n"
    "  * “city: 1” — To take part, add a line with your district to your reply, "
    "e.g. “district: NAME” (Bemowo, Wesoła, Ursynów).\n\n"
    "To change anything, simply reply to this message — the last vote counts.\n\n"
    "-- \n"
    "Sent automatically by Głos.\n",
    "uk": "Добрий день,\n\n"
    "дякуємо за відповідь щодо: Бюджет участі 2027. Ось що ми з неї зрозуміли.\n\n"
    "Ми не зрозуміли:\n"
    "  * «city: 1» — Щоб узяти участь, додайте у відповідь окремий рядок зі своїм районом, "
    "напр. «район: НАЗВА» (Бемово, Весола, Урсинів).\n\n"
    "Щоб щось змінити, просто дайте відповідь на цей лист — зараховується останній голос.\n\n"
    "-- \n"
    "Повідомлення надіслано автоматично системою Głos.\n",
}
ACCEPTED = {
    "pl": "Dzień dobry,\n\n"
    "dziękujemy za odpowiedź w sprawie: Budżet obywatelski 2027. Oto, co z niej wynika.\n\n"
    "Zapisaliśmy:\n"
    "  * Zapisano miejsce, w którym głosujesz: Wesoła.\n"
    "  * głos: Projekty ogólnomiejskie: 1. Zielone przystanki – 100 wiat z roślinnymi dachami, 2. Bezpłatne "
    "kursy pierwszej pomocy dla mieszkańców; Wesoła: 12. Siłownia plenerowa nad Glinianką\n"
    "  * opinię nr 1: Dziękuję za zaproszenie.\n"
    "  * rezygnację: nie wyślemy Ci więcej wiadomości w tej sprawie (poza tym potwierdzeniem).\n\n"
    "Kod potwierdzenia głosu: KOD. Zachowaj go: po zakończeniu sprawdzisz nim, że Twój głos został policzony.\n\n"
    "Aby coś zmienić, po prostu odpowiedz na tę wiadomość — liczy się ostatni głos.\n\n"
    "-- \n"
    "Wiadomość wysłana automatycznie przez system Głos.\n",
    "en": "Hello,\n\n"
    "thank you for your reply about: Participatory budget 2027. Here is what we made of it.\n\n"
    "Recorded:\n"
    "  * Your area is recorded: Wesoła.\n"
    "  * vote: City-wide projects: 1. Green bus stops – 100 shelters with planted roofs, 2. Free first-aid courses "
    "for residents; Wesoła district: 12. Outdoor gym by the Glinianka pond\n"
    "  * opinion no. 1: Dziękuję za zaproszenie.\n"
    "  * unsubscribe: we will send you no more messages about this (apart from this confirmation).\n\n"
    "Your vote's receipt code: KOD. Keep it: after closing you can check with it that your vote was counted.\n\n"
    "To change anything, simply reply to this message — the last vote counts.\n\n"
    "-- \n"
    "Sent automatically by Głos.\n",
    "uk": "Добрий день,\n\n"
    "дякуємо за відповідь щодо: Бюджет участі 2027. Ось що ми з неї зрозуміли.\n\n"
    "Ми зберегли:\n"
    "  * Записано місце, де ви голосуєте: Весола.\n"
    "  * голос: Загальноміські проєкти: 1. Зелені зупинки – 100 павільйонів із зеленими дахами, 2. Безкоштовні "
    "курси першої допомоги для мешканців; Район Весола: 12. Вуличний тренажерний майданчик біля ставка Глінянка\n"
    "  * думку № 1: Dziękuję za zaproszenie.\n"
    "  * відмову: ми більше не надсилатимемо вам листів щодо цього (крім цього підтвердження).\n\n"
    "Код підтвердження голосу: KOD. Збережіть його: після завершення ви зможете перевірити ним, "
    "що ваш голос зараховано.\n\n"
    "Щоб щось змінити, просто дайте відповідь на цей лист — зараховується останній голос.\n\n"
    "-- \n"
    "Повідомлення надіслано автоматично системою Głos.\n",
}


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_the_confirmation_reads_right(mailroom: Any, monkeypatch: pytest.MonkeyPatch, language: str) -> None:
    """A refused reply says which line to write; the next reply's lines are each confirmed, worded for e-mail."""
    _, reply_to = _open(mailroom, "bo-warszawa-2027")
    mailroom.services.people.set_language(mailroom.person(EWA), language)
    _, refused = _by_mail(mailroom, reply_to, "city: 1\n", monkeypatch)
    assert refused == REFUSED[language]
    body = "dzielnica: wesola\ncity: 1, 2\nwesola: 12\n\nDziękuję za zaproszenie.\nSTOP\n"
    _, text = _by_mail(mailroom, reply_to, body, monkeypatch)
    receipt = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", text)
    assert receipt is not None
    assert text.replace(receipt.group(), "KOD") == ACCEPTED[language]


# Messages an e-mail line can never get, though their chat wording names a command: each with the reason.
NEVER_BY_MAIL = {
    "code.which": "a 'kod:' line always carries a code",
    "district.which_district": "a 'dzielnica:' line always carries a name",
    "district.which_municipality": "a 'gmina:' line always carries a name",
    "opinion.withdraw_which": "a withdrawal line always carries a number",
    "process.not_found": "the reply's token names an existing process",
    "receipt.which": "there is no receipt line",
    "verify.again": "the answer to chat's guided step only",
    "vote.empty": "a ballot line is never empty",
}
# the families of messages the commands an e-mail line runs answer with
FAMILIES = (
    "ballot.",
    "code.",
    "district.",
    "eligibility.",
    "opinion.",
    "privacy.",
    "process.not_found",
    "receipt.",
    "scheduler.optout.",
    "verify.",
    "vote.",
)


def test_every_answer_that_names_a_chat_command_has_an_email_wording() -> None:
    """A new refusal or confirmation of a command e-mail runs, worded with a slash command, needs its
    ``mail.<id>`` wording (or a reason here why no e-mail line can get it)."""
    ids = catalogue_ids("pl")
    missing = sorted(
        key
        for key in ids
        if key.startswith(FAMILIES)
        and key not in NEVER_BY_MAIL
        and f"mail.{key}" not in ids
        and any(_COMMAND.search(str(_catalogue(language)[key].string)) for language in LANGUAGES)
    )
    assert missing == []
    assert all(key in ids for key in NEVER_BY_MAIL)  # an exemption for a message that is gone goes too

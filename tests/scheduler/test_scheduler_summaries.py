"""Result summaries: split under Telegram's limit, plain text and HTML e-mail, a chart whose caption says the
same, opinions per § for consultations, the shift of opinion for deliberative polls."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.definition import load_definition, load_definition_file
from bot.domain import Channel, ModerationStatus, Phase
from bot.i18n import translator
from bot.scheduling.publishing import send_summary
from bot.services.eligibility import RosterRow
from bot.summaries import TELEGRAM_LIMIT, split_text, summary_chart, summary_text, text_to_html

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PNG = b"\x89PNG\r\n\x1a\n"


def test_split_text_keeps_every_line_under_the_limit() -> None:
    paragraphs = [
        f"Pula {p}\n" + "\n".join(f"✅ {p}.{i} projekt o długiej nazwie {'x' * 40}" for i in range(30))
        for p in range(12)
    ]
    text = "\n\n".join(paragraphs)
    parts = split_text(text)
    assert len(parts) > 1 and all(len(part) <= TELEGRAM_LIMIT for part in parts)
    assert [line for part in parts for line in part.split("\n") if line] == [line for line in text.split("\n") if line]
    assert all(part.startswith("Pula") or part.startswith("✅") for part in parts)
    assert split_text("a" * 10_000) == ["a" * 4096, "a" * 4096, "a" * 1808]
    assert split_text("krótko") == ["krótko"]


def test_html_mail_is_escaped_and_links_are_clickable() -> None:
    page = text_to_html("Wyniki <script>\n\nPełne: https://glos.example/p/bo", title="Wyniki & więcej")
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert '<a href="https://glos.example/p/bo">' in page and "<title>Wyniki &amp; więcej</title>" in page


def _big_budget(projects: int) -> str:
    items = "".join(
        f'[[items]]\nkey = "{n}"\nkind = "project"\ncost = 1000\ntitle = "Projekt numer {n} o nazwie, '
        f'która jest naprawdę bardzo długa, jak to w budżecie obywatelskim bywa"\n'
        for n in range(1, projects + 1)
    )
    return f"""
slug = "duzy"
kind = "budget"
title = "Duży budżet"
auto_publish = true
[eligibility]
mode = "open"
[[pools]]
key = "main"
budget = 1_000_000
ballot = {{ rule = "up_to", max = {projects} }}
counting = {{ rule = "greedy" }}
{items}"""


def test_a_long_summary_is_split_for_the_chat_and_the_chart_follows(services, scheduler, policy, clock, outbox):
    services.processes.import_definition(load_definition(_big_budget(80)))
    services.processes.open("duzy")
    voter = services.people.identify(Channel.TELEGRAM, "77").person_id
    services.voting.cast("duzy", voter, {"main": [str(n) for n in range(1, 81)]}, Channel.TELEGRAM)
    services.processes.close("duzy")
    clock.advance(timedelta(minutes=1))
    scheduler.tick()
    assert services.processes.get("duzy").phase is Phase.PUBLISHED
    chat = [m for m in outbox("summary") if m.address == "-100123"]
    texts = [m.payload["text"] for m in chat[:-1]]
    assert len(texts) >= 2 and all(len(text) <= TELEGRAM_LIMIT for text in texts)
    assert [m.key for m in chat] == [f"summary:duzy:chat:-100123:part:{n}" for n in range(1, len(texts) + 1)] + [
        "summary:duzy:chat:-100123:chart"
    ]
    joined = "\n".join(texts)
    assert all(f"✅ {n}. Projekt numer {n} " in joined for n in range(1, 81))
    assert len(chat[-1].payload["text"]) <= 1024
    # Running the summary job's work again queues nothing twice.
    again = send_summary(services, "duzy", policy)
    assert (again.chats, again.emails, again.personal) == (0, 0, 0)


def test_the_chart_caption_says_what_the_chart_shows(services, clock):
    services.processes.import_definition(load_definition(_big_budget(3)))
    services.processes.open("duzy")
    for person, choice in (("1", ["1", "2"]), ("2", ["2"]), ("3", ["2", "3"])):
        voter = services.people.identify(Channel.TELEGRAM, person).person_id
        services.voting.cast("duzy", voter, {"main": choice}, Channel.TELEGRAM)
    services.processes.close("duzy")
    info, results = services.processes.get("duzy"), services.results.results("duzy", moderator=True)
    chart = summary_chart(info, results, translator("en"))
    assert chart.png.startswith(PNG) and len(chart.png) > 2000
    assert [(bar.label.split(" o nazwie")[0], bar.value) for bar in chart.bars] == [
        ("Projekt numer 2", 3.0),
        ("Projekt numer 1", 1.0),
        ("Projekt numer 3", 1.0),
    ]
    assert chart.caption.startswith("Chart of “Duży budżet” (highest support first): Projekt numer 2")
    assert "(3)" in chart.caption and "Selected (green): " in chart.caption


def test_a_consultation_summary_counts_opinions_per_section_and_mails_the_roster(
    services, scheduler, policy, clock, outbox, at
):
    definition = load_definition_file(EXAMPLES / "konsultacje-program-wspolpracy-2027.toml")
    clock.set(definition.opens_at + timedelta(hours=1))
    services.processes.import_definition(definition)
    slug = definition.slug
    services.processes.open(slug)
    services.eligibility.import_roster(
        slug,
        [
            RosterRow(Channel.EMAIL, "fundacja@example.org"),
            RosterRow(Channel.EMAIL, "stowarzyszenie@example.org"),
            RosterRow(Channel.EMAIL, "kolo@example.org"),  # has never written: no person yet
        ],
    )
    fundacja = services.people.identify(Channel.EMAIL, "fundacja@example.org").person_id
    services.people.identify(Channel.EMAIL, "stowarzyszenie@example.org")
    admin = services.people.identify(Channel.CONSOLE, "moderator").person_id
    for section, remark in (("§3", "Więcej małych grantów."), ("§3", "Dobrze, że jest harmonogram."), (None, "Ok.")):
        number = services.opinions.submit(slug, fundacja, remark, Channel.EMAIL, section=section)
        services.opinions.moderate(number, ModerationStatus.APPROVED, actor_id=admin)

    # "3d" before Monday 23:59 is Friday 23:59, in quiet hours: it goes out on Saturday at 08:00.
    clock.set(definition.closes_at - timedelta(days=3) + timedelta(minutes=1))
    scheduler.tick()
    assert outbox("reminder") == []
    clock.set(at("2027-10-09 08:00"))
    scheduler.tick()
    reminded = {m.address: m for m in outbox("reminder")}
    assert set(reminded) == {"stowarzyszenie@example.org", "kolo@example.org"}  # fundacja gave its opinions
    assert reminded["kolo@example.org"].key.endswith(":3d:address:kolo@example.org")
    assert reminded["kolo@example.org"].person_id is None
    assert "konsultacje" in reminded["stowarzyszenie@example.org"].payload["text"]
    # one e-mail format for everything the bot mails on its own: auto-responders must not answer a reminder
    assert reminded["kolo@example.org"].payload["headers"] == {
        "Auto-Submitted": "auto-generated",
        "Content-Language": "pl",
    }

    # left unreviewed, and one rejected: in neither the per-unit counts nor the report's remarks
    jan = services.people.identify(Channel.TELEGRAM, "500100").person_id
    services.opinions.submit(slug, jan, "Nie zdążyli tego przeczytać.", Channel.TELEGRAM, section="§1")
    spam = services.opinions.submit(slug, jan, "Kupię rower.", Channel.TELEGRAM, section="§1")
    services.opinions.moderate(spam, ModerationStatus.REJECTED, actor_id=admin)
    clock.set(definition.closes_at + timedelta(minutes=5))
    scheduler.tick()
    services.processes.publish(slug)
    scheduler.tick()
    mails = {m.address: m.payload for m in outbox("summary") if m.channel == "email"}
    assert set(mails) == {"fundacja@example.org", "stowarzyszenie@example.org", "kolo@example.org"}
    text = mails["fundacja@example.org"]["text"]
    assert text.split("\n")[1:19] == [
        "Udział wzięły 2 osoby.",
        "Uczestnicy według rodzaju: mieszkańcy — 2.",  # the roster names no organisation here
        "Uczestnicy według kanału: e-mail — 1, Telegram — 1.",
        "",
        "W raporcie opublikowano 3 opinie.",
        "§1 Postanowienia ogólne: 0 opinii",
        "§2 Cel główny i cele szczegółowe: 0 opinii",
        "§3 Zasady współpracy: 2 opinie",
        "§4 Zakres przedmiotowy: 0 opinii",
        "§5 Formy współpracy: 0 opinii",
        "§6 Priorytetowe zadania publiczne: 0 opinii",
        "§7 Okres realizacji programu: 0 opinii",
        "§8 Sposób oceny realizacji programu: 0 opinii",
        "Cały dokument: 1 opinia",
        "Nieopublikowane: nierozpatrzone — 1, odrzucone — 1, wycofane przez autorów — 0.",
        "Liczby przy częściach dokumentu obejmują opinie opublikowane w raporcie (zatwierdzone w moderacji); opinie "
        "nierozpatrzone, odrzucone i wycofane podano osobno. Uczestnik to autor co najmniej jednej niewycofanej "
        "opinii, liczony raz.",
        "",
        f"Raport z konsultacji: https://glos.example/p/{slug}/raport",
    ]
    report = services.report.report(slug)
    assert (report.approved, report.pending, len(report.rejected), report.participants) == (3, 1, 1, 2)
    assert report.by_section == {"§3": 2, "—": 1}  # as the summary counts them
    assert f"Raport z konsultacji: https://glos.example/p/{slug}/raport" in text
    assert mails["fundacja@example.org"]["subject"].startswith("Wyniki: ")
    assert "<p>" in mails["fundacja@example.org"]["html"]
    assert mails["fundacja@example.org"]["headers"] == {"Auto-Submitted": "auto-generated", "Content-Language": "pl"}


def test_a_deliberative_poll_summary_shows_the_shift_per_question(services, clock):
    definition = load_definition_file(EXAMPLES / "sondaz-deliberatywny-transport.toml")
    clock.set(definition.opens_at + timedelta(hours=1))
    services.processes.import_definition(definition)
    slug = definition.slug
    services.processes.open(slug)
    services.processes.hold_briefing(slug)  # round 2 opens; round 1 still takes answers
    codes = services.eligibility.issue_codes(slug, 2)
    for number, code in enumerate(codes):
        person = services.people.identify(Channel.TELEGRAM, str(500 + number)).person_id
        services.eligibility.redeem_code(slug, person, code)
        before = {"t1": 2, "t2": 3, "t3": 4, "t4": 4}
        after = {"t1": 4, "t2": 3, "t3": 4, "t4": 3 - number}
        services.voting.cast(slug, person, {"main": before}, Channel.TELEGRAM)
        services.voting.cast(slug, person, {"main": after}, Channel.TELEGRAM, round_no=2)
    services.processes.close(slug)
    info, results = services.processes.get(slug), services.results.results(slug, moderator=True)
    text = summary_text(info, results, translator("pl"), link="https://glos.example/p/x")
    assert "Zmiana opinii między pierwszą a drugą ankietą:" in text
    assert (
        "Komunikacja miejska powinna być bezpłatna dla wszystkich mieszkańców.: przed 2.00, po 4.00 (zmiana +2.00)"
        in text
    )
    assert "przed 3.00, po 3.00 (zmiana 0.00)" in text
    assert "przed 4.00, po 2.50 (zmiana -1.50)" in text
    assert text.endswith("Pełne wyniki: https://glos.example/p/x")

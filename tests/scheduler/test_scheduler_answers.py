"""An answer to every author: when a consultation's results (the authority's positions) are published, each
author of a remark with a position is told once, on the channel the remark came by, with the position and its
justification."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.definition import load_definition_file
from bot.domain import Channel, ModerationStatus, ResponseStatus
from bot.scheduling.publishing import send_summary

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_each_author_is_told_the_position_once_on_the_channel_they_used(  # type: ignore[no-untyped-def]
    services, scheduler, policy, clock, outbox
):
    definition = load_definition_file(EXAMPLES / "konsultacje-program-wspolpracy-2027.toml")
    clock.set(definition.opens_at + timedelta(hours=1))
    services.processes.import_definition(definition)
    slug = definition.slug
    services.processes.open(slug)
    fundacja = services.people.identify(Channel.EMAIL, "fundacja@example.org").person_id
    jan = services.people.identify(Channel.TELEGRAM, "500100", language="uk").person_id
    admin = services.people.identify(Channel.CONSOLE, "moderator").person_id
    first = services.opinions.submit(slug, fundacja, "Więcej małych grantów.", Channel.EMAIL, section="§3")
    second = services.opinions.submit(slug, jan, "Kupię rower.", Channel.TELEGRAM)
    unanswered = services.opinions.submit(slug, fundacja, "Całość w porządku.", Channel.EMAIL)
    services.opinions.moderate(first, ModerationStatus.APPROVED, actor_id=admin)
    services.opinions.moderate(second, ModerationStatus.REJECTED, actor_id=admin)
    services.opinions.moderate(unanswered, ModerationStatus.APPROVED, actor_id=admin)
    services.opinions.respond(first, ResponseStatus.PARTIAL, "Limit podniesiono do 10 000 zł.", actor_id=admin)
    services.opinions.respond(second, ResponseStatus.REJECTED, "Nie dotyczy projektu.", actor_id=admin)
    assert outbox("answer") == []  # positions are told when they are published, not while they are drafted

    clock.set(definition.closes_at + timedelta(minutes=5))
    scheduler.tick()
    services.processes.publish(slug)
    scheduler.tick()
    answers = {message.key: message for message in outbox("answer")}
    assert set(answers) == {f"answer:{slug}:opinion:{first}", f"answer:{slug}:opinion:{second}"}
    mail = answers[f"answer:{slug}:opinion:{first}"]
    assert (mail.channel, mail.address, mail.person_id) == ("email", "fundacja@example.org", fundacja)
    title = definition.title.pl
    assert mail.payload["subject"] == f"Odpowiedź na Twoją uwagę nr {first}: {title}"
    assert mail.payload["text"] == (
        f"Konsultacje „{title}” zostały rozpatrzone. Twoja uwaga nr {first} do §3:\n„Więcej małych grantów.”\n\n"
        "Stanowisko: uwzględniono częściowo.\nUzasadnienie: Limit podniesiono do 10 000 zł."
    )
    chat = answers[f"answer:{slug}:opinion:{second}"]
    assert (chat.channel, chat.address) == ("telegram", "500100")
    assert chat.payload["text"] == (
        f"Консультації «{definition.title.uk}» розглянуто. Ваше зауваження № {second} щодо "
        "всього документа:\n«Kupię rower.»\n\nПозиція: не враховано.\nОбґрунтування: Nie dotyczy projektu."
    )
    # the summary counts what the report publishes: the rejected remark in neither
    summary = next(m for m in outbox("summary") if m.channel == "email" or m.channel == "telegram")
    assert "W raporcie opublikowano 2 opinie." in summary.payload["text"]
    assert services.report.report(slug).approved == 2
    # publishing again (a restart, a second bot process) tells nobody twice
    assert send_summary(services, slug, policy).answers == 0
    assert len(outbox("answer")) == 2

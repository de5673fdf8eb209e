"""Erasure by e-mail (issue #13): "USUŃ MOJE DANE" in a reply asks, as ``/usun_dane`` does in chat, and the same
line with TAK erases, as ``/usun_dane TAK`` does — the same command of the command table, through the real mail
processor. The answer's own sentence quoted back never confirms, the erased member's ballot keeps counting, and
the last notice loses its address once sent."""

from __future__ import annotations

from typing import Any

from bot.domain import Channel
from mail.interpret import read_reply
from tests.mail.test_mail_erasure import JAN, _counted

ASKED = (
    "Prośba o usunięcie Twoich danych — jeszcze niczego nie usunęliśmy. Usunięcie jest nieodwracalne: zapomnimy "
    "Twoje imię i adresy, a oddane głosy zostaną policzone bez związku z Tobą. Aby potwierdzić, odpowiedz na tę "
    "wiadomość linią USUŃ MOJE DANE TAK (sama w linii)."
)
ERASED = "\n".join(
    [
        "Dzień dobry,",
        "",
        "zgodnie z Twoją prośbą usunęliśmy Twoje dane: imię, adresy, zaproszenia i wiadomości. Oddane głosy nadal "
        "się liczą, bez związku z Tobą; jeśli wrócisz z tego adresu, nowy głos zastąpi poprzedni. To ostatnia "
        "wiadomość od nas — nie odpowiadaj na nią. Do widzenia!",
        "",
        "-- ",
    ]
)


def test_a_member_asks_then_confirms_erasure_by_email_and_the_ballot_still_counts(mailroom: Any) -> None:
    services = mailroom.services
    assert mailroom.processor.process(mailroom.reply("uchwala1: TAK\nuchwala2: TAK\nuchwala3: TAK")).kind == "accepted"
    # asking: nothing is erased, the answer says how to confirm
    assert mailroom.processor.process(mailroom.reply("Usuń moje dane.")).kind == "accepted"
    asked = mailroom.outbox("mail.confirmation")[-1].payload["text"]
    assert f"Zapisaliśmy:\n  * {ASKED}\n" in asked, asked
    assert services.people.find(Channel.EMAIL, JAN) is not None
    # the answer's sentence quoted back without quote marks: the line is not alone, so it confirms nothing
    assert mailroom.processor.process(mailroom.reply(ASKED)).kind == "accepted"
    assert services.people.find(Channel.EMAIL, JAN) is not None
    # confirming: the member is forgotten, one notice goes out, and their ballot still counts
    outcome = mailroom.processor.process(mailroom.reply("USUŃ MOJE DANE TAK"))
    assert (outcome.kind, outcome.detail) == ("accepted", "erased")
    assert services.people.find(Channel.EMAIL, JAN) is None
    assert _counted(mailroom) == 1
    [notice] = mailroom.outbox("mail.erased")
    assert notice.address == JAN and notice.person_id is None
    assert notice.payload["text"].startswith(ERASED)
    assert "Reply-To" not in notice.payload["headers"]  # nobody to answer for
    # sent, the notice forgets the address and its content, as erasure does for every message sent before
    while claimed := services.outbox.claim(Channel.EMAIL, worker="test", limit=50):
        for message in claimed:
            services.outbox.mark_sending(message.id, worker="test")
            services.outbox.mark_sent(message.id, worker="test")
    stored = [row for row in mailroom.outbox() if row.purpose == "mail.erased"]
    assert [(row.address, row.payload) for row in stored] == [("", {})]


def test_the_erasure_line_in_three_languages(mailroom: Any) -> None:
    definition = mailroom.services.processes.get("walne-2027").definition
    lines = {
        "USUŃ MOJE DANE": "ask",
        "usun moje dane tak": "confirm",
        "DELETE MY DATA": "ask",
        "Delete my data: yes!": "confirm",
        "ВИДАЛИТИ МОЇ ДАНІ": "ask",
        "Видалити мої дані ТАК": "confirm",
        "Proszę: usuń moje dane": "",  # not alone on the line: an opinion, not an erasure
    }
    assert {line: read_reply(definition, line).erase for line in lines} == lines

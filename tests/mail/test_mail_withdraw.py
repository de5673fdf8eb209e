"""A member takes back a remark by e-mail: ``WYCOFAJ UWAGĘ 12`` on its own line, confirmed in the batch; a number
that is not theirs, or of another process, changes nothing and says so."""

from __future__ import annotations

from typing import Any

from bot.definition import load_definition_file
from bot.domain import ModerationStatus
from mail.interpret import read_reply
from tests.conftest import EXAMPLES

TITLE = "Konsultacje projektu „Programu współpracy Gminy Wieliczka z organizacjami pozarządowymi na 2027 rok”"
SLUG = "program-wspolpracy-2027"
FUNDACJA = "anna.nowak@fundacja.org.pl"


def test_withdrawal_lines_in_three_languages_are_read_and_never_taken_for_an_opinion() -> None:
    definition = load_definition_file(EXAMPLES / "konsultacje-program-wspolpracy-2027.toml")
    plan = read_reply(definition, "Wycofuję uwagę nr 12.\nWITHDRAW REMARK 13\nВІДКЛИКАТИ 14\nwycofaj 15")
    assert (plan.withdraw, plan.opinion, plan.ballot, plan.empty) == ([12, 13, 14, 15], "", "", False)
    # inside a remark the words are the member's text
    inside = read_reply(definition, "§3: Proszę\nwycofaj 2 ust. z projektu")
    assert inside.withdraw == [] and inside.comments == [("3", "Proszę\nwycofaj 2 ust. z projektu")]


def test_a_member_withdraws_their_remark_by_reply_and_is_told_so(mailroom: Any) -> None:
    mailroom.processor.process(mailroom.reply("§3: Seniorzy.", sender=FUNDACJA, slug=SLUG, message_id="<a@x>"))
    [mine] = mailroom.services.opinions.list(SLUG)
    # the confirmation gives the remark's number: the invitation says to withdraw it by that number
    assert f"uwagę nr {mine.id} do §3: Seniorzy." in mailroom.outbox("mail.confirmation")[-1].payload["text"]
    mailroom.processor.process(
        mailroom.reply(f"WYCOFAJ UWAGĘ {mine.id}\nWYCOFAJ UWAGĘ 999", sender=FUNDACJA, slug=SLUG, message_id="<b@x>")
    )
    assert mailroom.services.opinions.list(SLUG)[0].status is ModerationStatus.WITHDRAWN
    text = mailroom.outbox("mail.confirmation")[-1].payload["text"]
    assert f"Wycofano opinię nr {mine.id} ({TITLE}). Raport z konsultacji poda ją jako wycofaną przez autora" in text
    assert "WYCOFAJ UWAGĘ 999" in text and "Nie ma opinii nr 999" in text

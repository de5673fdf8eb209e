"""Control characters never reach an output: one hostile opinion (a vertical tab, an ANSI colour, a bidi override,
a NUL, a formula) and a hostile name go into a consultation, and every output shows them harmless — the DOCX
report (it answered 500 for everyone), the HTML report, the CSV report (no formula), the console, Telegram's text.
An opinion stored before texts were cleaned on the way in still gives a DOCX."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import docx
from fastapi.testclient import TestClient
from sqlalchemy import update

from bot.commands.registry import COMMANDS
from bot.console import ConsoleChannel, render_reply
from bot.domain import Channel, ModerationStatus, ResponseStatus
from bot.replies import Reply
from bot.services import Services
from bot.text import clean_text
from handlers.limits import check_text
from storage.models import Opinion

HOSTILE = '=HYPERLINK("http://evil.example")\x0bZa wysoka\x1b[31m składka\x1b[0m \u202etxt.exe\u202c\x00 koniec'
CLEAN = '=HYPERLINK("http://evil.example") Za wysoka składka txt.exe koniec'
NAME = "Fundacja\x1b]0;pwned\x07 \u202eRazem\x0b"


def _published(services: Services, load_example: Callable[[str], str]) -> tuple[str, int]:
    slug = load_example("konsultacje-program-wspolpracy-2027")
    ngo = services.people.identify(Channel.EMAIL, "fundacja@example.pl", display_name=NAME)
    opinion = services.opinions.submit(slug, ngo.person_id, HOSTILE, Channel.EMAIL, section="§3")
    admin = services.people.identify(Channel.CONSOLE, "moderator")
    services.opinions.moderate(opinion, ModerationStatus.APPROVED, actor_id=admin.person_id)
    services.opinions.respond(opinion, ResponseStatus.REJECTED, "Nie\x0bdotyczy\x1b[1m.", actor_id=admin.person_id)
    services.processes.close(slug)
    services.processes.publish(slug)
    return slug, opinion


def test_a_hostile_opinion_is_stored_readable(services: Services, load_example: Callable[[str], str]) -> None:
    slug, _ = _published(services, load_example)
    [stored] = services.opinions.list(slug)
    assert stored.text == CLEAN
    assert stored.response_text == "Nie dotyczy."
    assert services.people.find(Channel.EMAIL, "fundacja@example.pl").display_name == "Fundacja Razem"  # type: ignore[union-attr]


def test_every_report_survives_it(client: TestClient, services: Services, load_example: Callable[[str], str]) -> None:
    slug, _ = _published(services, load_example)
    page = client.get(f"/p/{slug}/raport")
    assert page.status_code == 200
    assert CLEAN.replace('"', "&#34;") in page.text or CLEAN.replace('"', "&quot;") in page.text
    assert not any(ch in page.text for ch in "\x0b\x1b\u202e\x00")
    rows = list(csv.reader(io.StringIO(client.get(f"/p/{slug}/raport.csv").content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][5] == "'" + CLEAN, "a spreadsheet shows the formula, never runs it"
    response = client.get(f"/p/{slug}/raport.docx")
    assert response.status_code == 200
    cells = [cell.text for row in docx.Document(io.BytesIO(response.content)).tables[0].rows for cell in row.cells]
    assert CLEAN in cells


def test_an_opinion_stored_before_cleaning_still_gives_a_docx(
    client: TestClient, services: Services, load_example: Callable[[str], str]
) -> None:
    slug, opinion = _published(services, load_example)
    legacy = HOSTILE.replace("\x00", "")  # PostgreSQL never stored a NUL; SQLite did
    with services.context.connection() as connection:  # as the store held it before this release
        connection.execute(update(Opinion.__table__).where(Opinion.__table__.c.id == opinion).values(text=legacy))  # type: ignore[attr-defined]
    response = client.get(f"/p/{slug}/raport.docx")
    assert response.status_code == 200
    cells = [cell.text for row in docx.Document(io.BytesIO(response.content)).tables[0].rows for cell in row.cells]
    assert '=HYPERLINK("http://evil.example") Za wysoka składka \u202etxt.exe\u202c koniec' in cells
    page = client.get(f"/p/{slug}/raport")
    assert page.status_code == 200


def test_the_console_and_telegram_get_no_control_characters(
    services: Services, load_example: Callable[[str], str], tmp_path: object
) -> None:
    assert render_reply(Reply(HOSTILE)) == CLEAN
    assert check_text(HOSTILE) == CLEAN
    slug = load_example("konsultacje-program-wspolpracy-2027")
    ngo = services.people.identify(Channel.EMAIL, "fundacja@example.pl", display_name=NAME)
    services.opinions.submit(slug, ngo.person_id, HOSTILE, Channel.EMAIL)
    services.people.ensure_admins(["console:moderator"])
    moderator = ConsoleChannel(services, COMMANDS, "moderator", language="pl")
    shown = "\n".join(moderator.handle(f"/opinie {slug}"))
    assert CLEAN in shown
    assert clean_text(shown) == shown

"""The playground's e-mail pane: mail captured instead of sent, a pretend NGO member invited, and replies
written into the Maildir intake — through the pane's JSON API (httpx) and end to end through ``glos run``'s
wiring (store, examples, the Bot API emulator, the web page, the mail runner)."""

from __future__ import annotations

import email
import email.policy
import mailbox
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.app import App
from bot.config import MailSettings, Settings
from bot.domain import Channel
from bot.services import Services
from bot.web.playground_mail import MailPaneWeb
from bot.web.playground_visitors import Visitors
from bot.web.serve import ThreadedServer
from handlers.emulator.driver import Emulator
from handlers.playground import playground_app
from mail import playground as pretend_mail
from mail.capture import SENT_FOLDER
from mail.playground import PlaygroundMail

ROOT = Path(__file__).resolve().parents[2]
CONSULTATION = "program-wspolpracy-2027"
MEMBER = "Czlonek@Fundacja.example"  # as typed; the pane lower-cases it
WAIT = 30.0  # a generous bound for a mail round on a busy machine; the tests wait on rounds, not on time


@dataclass
class Pane:
    """The pane's web API (a TestClient on the playground app) and the mail side behind it."""

    client: TestClient
    mail: PlaygroundMail

    def settle(self) -> None:
        """Wait until the mail runner has read the Maildir and sent the outbox once more."""
        assert self.mail.runner.wait_for(self.mail.runner.wake(), WAIT)

    def mails(self, address: str = MEMBER) -> list[dict[str, Any]]:
        response = self.client.get("/api/mail", params={"address": address})
        assert response.status_code == 200, response.text
        mails: list[dict[str, Any]] = response.json()["mails"]
        return mails


@pytest.fixture
def pane(services: Services, load_example: Callable[..., str], tmp_path: Path) -> Iterator[Pane]:
    load_example("konsultacje-program-wspolpracy-2027")
    settings = Settings(mail=MailSettings(maildir=str(tmp_path / "Maildir")))
    mail = pretend_mail.start(services, settings)
    app = playground_app(Emulator("100000001:TEST"), Visitors(), MailPaneWeb(mail, services))
    client = TestClient(app)
    assert client.get("/").status_code == 200  # opening the page starts the browser's session (its cookie)
    try:
        yield Pane(client, mail)
    finally:
        mail.stop()


def _invite(pane: Pane, address: str = MEMBER) -> dict[str, Any]:
    response = pane.client.post("/api/mail/invite", json={"address": address, "slug": CONSULTATION})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_the_pane_is_on_the_playground_page_in_both_languages(pane: Pane) -> None:
    polish = pane.client.get("/").text
    assert '<section id="mail-pane" lang="pl"' in polish
    assert '<label for="mail-address">Twój adres (członek organizacji)</label>' in polish
    assert re.search(r'value="czlonek-[0-9a-f]{8}@fundacja\.example"', polish)  # this session's own member
    assert f'<option value="{CONSULTATION}">Konsultacje projektu' in polish
    assert ">Zaproś mnie jako członka organizacji</button>" in polish
    english = pane.client.get("/", params={"lang": "en"}).text
    assert '<section id="mail-pane" lang="en"' in english and ">Invite me as an NGO member</button>" in english
    assert "Consultation of the draft" in english
    for page in (polish, english):  # every asset is served by the app itself
        assert 'src="http' not in page and 'href="http' not in page


def test_an_invited_member_sees_the_invitation_and_no_one_else_does(pane: Pane, services: Services) -> None:
    assert pane.mails() == []
    assert _invite(pane) == {"ok": True, "queued": 1}
    pane.settle()
    [invitation] = pane.mails()
    assert invitation["subject"].startswith("Zaproszenie do udziału: Konsultacje projektu")
    assert invitation["from"] == "glos@example.org"
    assert invitation["to"] == MEMBER.lower()
    assert "§6 — Priorytetowe zadania publiczne" in invitation["text"]
    assert invitation["date"]  # shown in the bot's time zone
    assert pane.mails("someone.else@fundacja.example") == []
    assert _invite(pane) == {"ok": True, "queued": 0}  # invited once
    pane.settle()
    assert len(pane.mails()) == 1
    person = services.people.find(Channel.EMAIL, MEMBER.lower())
    assert person is not None and person.language == "pl"


def test_a_member_invited_from_the_english_pane_gets_english_mail(pane: Pane) -> None:
    response = pane.client.post(
        "/api/mail/invite", params={"lang": "en"}, json={"address": "ann@ngo.example", "slug": CONSULTATION}
    )
    assert response.json() == {"ok": True, "queued": 1}
    pane.settle()
    [invitation] = pane.mails("ann@ngo.example")
    assert invitation["subject"].startswith("Invitation to take part: Consultation of the draft")
    assert "§6" in invitation["text"]


def test_a_reply_from_the_form_is_a_proper_reply_in_the_maildir_inbox(pane: Pane, tmp_path: Path) -> None:
    _invite(pane)
    pane.settle()
    [invitation] = pane.mails()
    pane.mail.runner.stop()  # nobody reads the Maildir now: what the form wrote stays in new/
    response = pane.client.post(
        "/api/mail/reply",
        json={"address": MEMBER, "message_id": invitation["message_id"], "text": "§3: Dodać zasadę jawności."},
    )
    assert response.status_code == 200, response.text
    maildir = tmp_path / "Maildir"
    [written] = list((maildir / "new").iterdir())
    reply = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    sent = mailbox.Maildir(maildir).get_folder(SENT_FOLDER)
    [original] = [email.message_from_bytes(sent.get_bytes(key), policy=email.policy.default) for key in sent.iterkeys()]
    assert reply["From"] == MEMBER.lower()
    assert reply["To"] == original["Reply-To"]  # the member's personal reply address, glos+TOKEN@…
    assert reply["To"].startswith("glos+") and reply["To"].endswith("@example.org")
    assert reply["In-Reply-To"] == original["Message-ID"] == invitation["message_id"]
    assert original["Message-ID"] in reply["References"]
    assert reply["Subject"] == f"Re: {original['Subject']}"
    assert reply["Message-ID"] and reply["Message-ID"] != original["Message-ID"] and reply["Date"]
    body = reply.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert body.startswith("§3: Dodać zasadę jawności.\n\nW dniu ")
    assert "napisał(a):\n> Dzień dobry," in body  # quoted below, as mail clients do

    read, sent_now = pane.mail.channel.poll()  # the ordinary intake reads it and answers
    assert (read, sent_now) == (1, 1)
    assert list((maildir / "new").iterdir()) == []
    confirmation = pane.mails()[0]
    assert confirmation["subject"].startswith("Potwierdzenie")
    assert re.search(r"uwagę nr \d+ do §3: Dodać zasadę jawności\.", confirmation["text"])  # its number, to withdraw it


def test_a_vote_by_reply_is_counted_once_and_confirmed(
    pane: Pane, services: Services, load_example: Callable[..., str]
) -> None:
    slug = load_example("uchwala-tak-nie")  # members vote only when on the roster: the invitation puts them there
    response = pane.client.post("/api/mail/invite", json={"address": MEMBER, "slug": slug})
    assert response.json() == {"ok": True, "queued": 1}
    pane.settle()
    [invitation] = pane.mails()
    for _ in range(2):  # the member presses "send" twice: two replies, one ballot (the last counts)
        reply = {"address": MEMBER, "message_id": invitation["message_id"], "text": "uchwala1: TAK\nuchwala2: NIE"}
        assert pane.client.post("/api/mail/reply", json=reply).status_code == 200
    pane.settle()
    turnout = services.results.turnout(slug)
    assert (turnout.participants, turnout.by_channel) == (1, {"email": 1})
    confirmations = [mail for mail in pane.mails() if mail["subject"].startswith("Potwierdzenie")]
    second, first = confirmations  # newest first
    assert "Kod potwierdzenia głosu:" in first["text"] and "zastępuje" not in first["text"]
    assert "(zastępuje Twój poprzedni głos)" in second["text"]


def test_bad_input_is_refused_with_a_reason(pane: Pane) -> None:
    client = pane.client
    broken = client.post("/api/mail/invite", content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 400
    assert client.post("/api/mail/reply", json=["a", "list"]).status_code == 400
    bad = client.post("/api/mail/invite", json={"address": "no-at-sign", "slug": CONSULTATION})
    assert bad.status_code == 400
    assert bad.json()["message"].startswith("To nie jest adres e-mail.")
    injected = client.get("/api/mail", params={"address": "a@b.example\r\nBcc: x@y.example"})
    assert injected.status_code == 400
    unknown = client.post("/api/mail/invite", json={"address": MEMBER, "slug": "nie-ma-takiego"})
    assert unknown.status_code == 404
    nothing = client.post("/api/mail/reply", json={"address": MEMBER, "message_id": "<x@y>", "text": "TAK"})
    assert nothing.status_code == 404
    _invite(pane)
    pane.settle()
    [invitation] = pane.mails()
    empty = client.post(
        "/api/mail/reply", params={"lang": "en"}, json={"address": MEMBER, "message_id": invitation["message_id"]}
    )
    assert empty.status_code == 400 and empty.json()["message"] == "The reply is empty."
    # Someone else cannot answer the member's mail through the pane.
    other = client.post(
        "/api/mail/reply",
        json={"address": "other@fundacja.example", "message_id": invitation["message_id"], "text": "TAK"},
    )
    assert other.status_code == 404


# -- end to end, as `glos run` wires it ----------------------------------------------------------------------


@pytest.fixture
def running(glos_run: Callable[[datetime], Any]) -> tuple[App, ThreadedServer, PlaygroundMail]:
    """The sandbox's store (what the playground acts on), the web page and the sandbox's captured e-mail."""
    run = glos_run(datetime(2027, 9, 25, 10, 0, tzinfo=UTC))
    assert isinstance(run.mail, PlaygroundMail)
    return run.sandbox, run.web, run.mail


def test_invite_reply_and_confirmation_end_to_end(
    running: tuple[App, ThreadedServer, PlaygroundMail], tmp_path: Path
) -> None:
    app, web, pretend = running
    assert pretend.maildir == tmp_path / "glos-playground-mail"  # the sandbox's own, beside its database
    base = f"{web.url}/playground"
    with httpx.Client(base_url=base, timeout=WAIT) as client:
        page = client.get("/")
        assert 'id="mail-pane"' in page.text and 'id="log"' in page.text  # beside the Telegram chat
        assert httpx.get(f"{web.url}/static/playground_mail.js").status_code == 200
        assert client.post("/api/mail/invite", json={"address": MEMBER, "slug": CONSULTATION}).json()["queued"] == 1
        assert pretend.runner.wait_for(pretend.runner.wake(), WAIT)
        [invitation] = client.get("/api/mail", params={"address": MEMBER}).json()["mails"]
        text = "§6: Więcej konkursów dla <b>młodzieży</b>."
        reply = {"address": MEMBER, "message_id": invitation["message_id"], "text": text}
        sent = client.post("/api/mail/reply", json=reply)
        assert sent.status_code == 200
        assert pretend.runner.wait_for(pretend.runner.wake(), WAIT)
        mails = client.get("/api/mail", params={"address": MEMBER}).json()["mails"]
    confirmation, first = mails
    assert first == invitation  # newest first
    assert confirmation["subject"].startswith("Potwierdzenie")
    assert re.search(r"uwagę nr \d+ do §6: Więcej konkursów dla <b>młodzieży</b>\.", confirmation["text"])  # as written
    opinions = app.services.opinions.list(CONSULTATION)
    assert [(o.section_number, o.text, o.channel) for o in opinions] == [("§6", text[4:], Channel.EMAIL)]

    # The same reply delivered again (a redelivery) is recognised by its Message-ID: nothing new.
    processed = mailbox.Maildir(pretend.maildir).get_folder("Processed")
    [key] = processed.keys()
    mailbox.Maildir(pretend.maildir).add(processed.get_bytes(key))
    assert pretend.runner.wait_for(pretend.runner.wake(), WAIT)
    assert len(app.services.opinions.list(CONSULTATION)) == 1
    assert len(pretend.mails(MEMBER)) == 2


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.mark.chromium
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)")
def test_a_member_replies_in_the_browser_and_sees_the_confirmation(
    running: tuple[App, ThreadedServer, PlaygroundMail],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    app, web, _ = running
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"],
        )
        page = browser.new_page(locale="pl-PL", viewport={"width": 1280, "height": 900})
        page.goto(web.url + "/playground/")
        pane = page.locator("#mail-pane")
        expect(pane.get_by_text("Nie ma jeszcze e-maili do tego adresu.")).to_be_visible(timeout=15_000)
        address = pane.get_by_label("Twój adres (członek organizacji)")
        expect(address).to_have_value(re.compile(r"^czlonek-[0-9a-f]{8}@fundacja\.example$"))  # this session's own
        member = address.input_value()
        expect(pane.get_by_label("Proces")).to_have_value(CONSULTATION)  # the NGO consultation comes first
        pane.get_by_role("button", name="Zaproś mnie jako członka organizacji").click()
        expect(pane.get_by_role("status")).to_have_text(f"Zaproszenie wysłane do {member}.")
        invitation = pane.get_by_role("heading", name="Zaproszenie do udziału", exact=False)
        expect(invitation).to_be_visible(timeout=15_000)
        page.screenshot(path=str(ARTIFACTS / "playground-mail-invited.png"))

        reply = pane.get_by_label("Twoja odpowiedź")
        reply.focus()  # by keyboard: type, then Tab to the button and press Enter
        page.keyboard.type("§6: Więcej konkursów dla <b>młodzieży</b>.")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        confirmation = pane.get_by_role("listitem").filter(has_text="Potwierdzenie:").first
        expect(confirmation).to_be_visible(timeout=15_000)
        # Markup a member wrote comes back as text, never as HTML.
        expect(confirmation).to_contain_text(re.compile(r"uwagę nr \d+ do §6: Więcej konkursów dla <b>młodzieży</b>\."))
        assert pane.locator("b").count() == 0
        page.screenshot(path=str(ARTIFACTS / "playground-mail.png"), full_page=True)
        browser.close()
    [opinion] = app.services.opinions.list(CONSULTATION)
    assert opinion.text == "Więcej konkursów dla <b>młodzieży</b>."

"""The playground is a sandbox, tried as an attacker would with two browsers and a real ``glos run``.

One visitor grants Telegram user 900 the admin role, votes, closes a budget and puts an e-mail member on a roster
in the playground; another tries to read and act as the first one's pretend users and mail. Afterwards the same
configuration is started with a Telegram token (on an emulator the test runs): user 900 has no role there, the
budget is open, nobody voted and no roster holds the member — nothing done in the playground reached the store.
"""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import func, select

from bot.app import build_app
from bot.config import load_settings
from bot.domain import Channel, Phase
from bot.web.playground_visitors import COOKIE
from bot.web.serve import free_port
from handlers.emulator import Emulator, running_emulator
from storage.models import Ballot, Identity, Role

ROOT = Path(__file__).resolve().parents[2]
WAIT = 30.0
CONSULTATION = "program-wspolpracy-2027"


class Browser:
    """One visitor of the playground: an HTTP client that keeps its cookie, and its two pretend users."""

    def __init__(self, base: str) -> None:
        self.client = httpx.Client(base_url=f"{base}/playground", timeout=WAIT)
        page = self.client.get("/").text
        self.resident, self.moderator = (int(found) for found in re.findall(r'<option value="(\d+)">', page))
        found = re.search(r'id="mail-address" type="email" autocomplete="off" value="([^"]+)"', page)
        assert found is not None
        self.member = found.group(1)

    def say(self, user: int, text: str) -> list[str]:
        """Send ``text`` as ``user``; the texts of the bot's answer once it came."""
        before = len(self.client.get(f"/api/chats/{user}").json())
        assert self.client.post(f"/api/users/{user}/send", json={"text": text}).json() == {"ok": True}
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            chat = self.client.get(f"/api/chats/{user}").json()
            answers = [entry["text"] for entry in chat[before:] if entry.get("from") == "bot"]
            if answers:
                return answers
            time.sleep(0.05)
        raise AssertionError(f"no answer to {text!r}")


def _config(tmp_path: Path, token_emulator: str | None = None) -> Path:
    config = tmp_path / ("glos-token.toml" if token_emulator else "glos.toml")
    telegram = f'api_url = "{token_emulator}"\n' if token_emulator else f"emulator_port = {free_port()}\n"
    config.write_text(
        f'[bot]\nadmins = ["console:moderator"]\nexamples_dir = "{ROOT / "examples"}"\n'
        f'[storage]\nurl = "sqlite:///{tmp_path / "glos.db"}"\n'
        f"[telegram]\n{telegram}[web]\nport = {free_port()}\n",
        encoding="utf-8",
    )
    return config


def test_nothing_done_in_the_playground_reaches_the_real_store(tmp_path: Path, glos_service: Any) -> None:
    playground = glos_service("run", "--config", str(_config(tmp_path)), cwd=tmp_path)
    web = playground.wait_for("Strona / web page:").rsplit(" ", 1)[1].rstrip("/")
    playground.wait_for("Bez konsoli / no console")
    alice, mallory = Browser(web), Browser(web)
    assert len({alice.resident, alice.moderator, mallory.resident, mallory.moderator, 900, 1001}) == 6

    # Alice plays: her moderator is an admin of the sandbox, so everything works there.
    assert alice.say(alice.moderator, "/nadaj_role telegram:900 admin") == ["Nadano rolę admin: telegram:900."]
    alice.say(alice.resident, "/dzielnica bo2027 wesola")
    assert any("Pokwitowanie:" in text for text in alice.say(alice.resident, "/glosuj bo2027 wesola: 12, 13"))
    assert any(text.startswith("Zamknięto: ") for text in alice.say(alice.moderator, "/zamknij bo2027"))
    invited = alice.client.post("/api/mail/invite", json={"address": alice.member, "slug": CONSULTATION})
    assert invited.json() == {"ok": True, "queued": 1}

    # Mallory's browser sees and touches none of it.
    for user in (alice.resident, alice.moderator, 900, 1001):
        assert mallory.client.get(f"/api/chats/{user}").status_code == 404
        assert mallory.client.get(f"/api/chats/{user}/documents/1").status_code == 404
        assert mallory.client.post(f"/api/users/{user}/send", json={"text": "/zamknij bo2027"}).status_code == 404
    assert mallory.client.get("/api/mail", params={"address": alice.member}).json()["mails"] == []
    taken = mallory.client.post("/api/mail/invite", json={"address": alice.member, "slug": CONSULTATION})
    assert taken.status_code == 403
    assert taken.json()["message"] == "Tego adresu używa już ktoś inny na placu zabaw. Wpisz inny adres."
    forged = mallory.client.post(
        "/api/mail/reply", json={"address": alice.member, "message_id": "<x@y>", "text": "TAK"}
    )
    assert forged.status_code == 404
    # Without a session, or with a made-up one, nothing at all.
    for cookies in ({}, {COOKIE: "guessed-session-id"}):
        with httpx.Client(base_url=f"{web}/playground", timeout=WAIT, cookies=cookies) as stranger:
            assert stranger.get(f"/api/chats/{alice.resident}").status_code == 403
            assert stranger.post(f"/api/users/{alice.moderator}/send", json={"text": "/procesy"}).status_code == 403
            assert stranger.get("/api/mail", params={"address": alice.member}).status_code == 403
    # The cookie cannot be read by a script and is not sent to other sites.
    cookie = httpx.get(f"{web}/playground/").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/playground/" in cookie
    # Mallory's own chat works, and shows only her own.
    assert mallory.say(mallory.resident, "/procesy")
    playground.process.send_signal(signal.SIGTERM)
    assert playground.process.wait(timeout=WAIT) == 0, playground.output

    # The same configuration with a token: no playground, and none of the above in the store.
    telegram = Emulator("4242424242:REAL-TOKEN-OF-THE-CITY")
    with running_emulator(telegram) as server:
        real = glos_service(
            "run",
            "--config",
            str(_config(tmp_path, server.url)),
            cwd=tmp_path,
            env={"GLOS_TELEGRAM__TOKEN": telegram.token},
        )
        real_web = real.wait_for("Strona / web page:").rsplit(" ", 1)[1].rstrip("/")
        real.wait_for("Bez konsoli / no console")
        assert httpx.get(f"{real_web}/playground/").status_code == 404
        telegram.ensure_user(900, "Ktoś", "pl")
        telegram.send_text(900, "/zamknij bo2027")
        deadline = time.monotonic() + WAIT
        while not telegram.received(900) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [message.text for message in telegram.received(900)] == [
            "Polecenie /zamknij jest tylko dla moderatorów."
        ]
        real.process.send_signal(signal.SIGTERM)
        assert real.process.wait(timeout=WAIT) == 0, real.output

    settings = load_settings(_config(tmp_path), {"GLOS_BOT__SECRET_KEY": "service-test-secret-0123456789abcdef"})
    store = build_app(settings)
    try:
        assert store.services.processes.get("bo2027").phase == Phase.OPEN
        with store.services.context.transaction() as session:
            pretend = [str(alice.resident), str(alice.moderator), str(mallory.resident), str(mallory.moderator)]
            telegram_ids = session.exec(select(Identity.address).where(Identity.channel == Channel.TELEGRAM)).all()
            assert set(telegram_ids) & {*pretend, "1001"} == set()
            admins = session.exec(
                select(Identity.address).join(Role, Role.person_id == Identity.person_id)  # type: ignore[arg-type]
            ).all()
            assert admins == ["moderator"]  # console:moderator, from the configuration; 900 holds nothing
            assert session.exec(select(func.count()).select_from(Ballot)).one() == 0
            assert session.exec(select(Identity).where(Identity.address == alice.member)).all() == []
    finally:
        store.close()


@pytest.mark.parametrize("database", ["glos.db", "data/miasto.sqlite"])
def test_the_sandbox_is_a_file_of_its_own_made_anew(tmp_path: Path, database: str) -> None:
    from bot.config import BotSettings, Settings, StorageSettings
    from bot.sandbox import build_sandbox, sandbox_url

    (tmp_path / database).parent.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        bot=BotSettings(examples_dir=str(ROOT / "examples")),
        storage=StorageSettings(url=f"sqlite:///{tmp_path / database}"),
    )
    url = sandbox_url(settings)
    assert url != settings.storage.url and url.endswith("-playground.db")
    assert Path(url.removeprefix("sqlite:///")).parent == (tmp_path / database).parent
    first = build_sandbox(settings)
    try:
        first.services.people.ensure_admins(["900"])
    finally:
        first.close()
    second = build_sandbox(settings)
    try:
        assert second.services.people.find(Channel.TELEGRAM, "900") is None  # a new run starts empty
        assert {info.slug for info in second.services.processes.list()} >= {"bo2027", CONSULTATION}
    finally:
        second.close()
    assert not (tmp_path / database).exists()  # the deployment's database was never even created

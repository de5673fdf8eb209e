"""``glos run`` as a service: started with standard input at end-of-file (nohup, systemd, a container,
``glos run </dev/null &``) it keeps serving without the console until SIGTERM or SIGINT, then stops cleanly."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.web.serve import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def start_service(tmp_path: Path, glos_service: Any) -> Any:
    """``glos run ARGS`` on a configuration of free ports, with standard input at end-of-file."""

    def start(*extra: str, web_port: int | None = None) -> Any:
        config = tmp_path / "glos.toml"
        config.write_text(
            f'[bot]\nadmins = ["console:moderator"]\nexamples_dir = "{ROOT / "examples"}"\n'
            f'[storage]\nurl = "sqlite:///{tmp_path / "glos.db"}"\n'
            f"[telegram]\nemulator_port = {free_port()}\n"
            f"[web]\nport = {web_port or free_port()}\n",
            encoding="utf-8",
        )
        return glos_service("run", "--config", str(config), *extra, cwd=tmp_path)

    return start


def _url(line: str) -> str:
    return line.rsplit(" ", 1)[1].rstrip("/")


def _reply(emulator: str, user: int, text: str) -> list[str]:
    """Send ``text`` as ``user`` through the emulator's test API; the texts the chat received once it answered."""
    before = len(httpx.get(f"{emulator}/_emulator/chats/{user}").json())
    assert httpx.post(f"{emulator}/_emulator/users/{user}/send", json={"text": text}).json()["ok"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        chat = httpx.get(f"{emulator}/_emulator/chats/{user}").json()
        if len(chat) > before:
            return [message["text"] for message in chat[before:]]
        time.sleep(0.05)
    raise AssertionError(f"no answer to {text!r}")


def test_without_a_terminal_glos_run_serves_until_sigterm(start_service: Any) -> None:
    service = start_service()
    web = _url(service.wait_for("Strona / web page:"))
    emulator = service.wait_for("Telegram: emulator").split("Bot API: ", 1)[1].split("/bot<token>", 1)[0]
    service.wait_for("Bez konsoli / no console")
    time.sleep(0.5)  # the console would have read end-of-file by now and ended the run
    assert service.process.poll() is None, service.output

    assert httpx.get(f"{web}/healthz").json() == {"status": "ok"}
    assert "<title>Głos — plac zabaw</title>" in httpx.get(f"{web}/playground/").text
    assert "glos_http_requests_total" in httpx.get(f"{web}/metrics").text
    answer = _reply(emulator, 1001, "/procesy")
    assert any("bo2027" in text for text in answer), answer

    service.process.send_signal(signal.SIGTERM)
    assert service.process.wait(timeout=30) == 0, service.output
    assert "Traceback" not in service.output and "ERROR" not in service.output, service.output
    assert service.lines[-1] == "Zatrzymywanie / stopping…", service.output
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{web}/healthz")


def test_no_console_says_so_and_ctrl_c_stops_it_cleanly(start_service: Any) -> None:
    with socket.socket() as taken:  # another program holds the configured port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        service = start_service("--no-console", web_port=port)
        moved = service.wait_for("Port ")
        web = _url(service.wait_for("Strona / web page:"))
        new_port = int(web.rsplit(":", 1)[1])
        assert new_port != port
        assert moved == (
            f"Port {port} zajęty, strona działa na porcie {new_port} / "
            f"port {port} is taken, the web page uses port {new_port} instead"
        )
        assert "Errno" not in service.output and "address already in use" not in service.output
        assert service.wait_for("Bez konsoli / no console") == (
            "Bez konsoli / no console: działa do SIGTERM lub Ctrl-C / runs until SIGTERM or Ctrl-C"
        )
        assert httpx.get(f"{web}/healthz").json() == {"status": "ok"}
        service.process.send_signal(signal.SIGINT)
        assert service.process.wait(timeout=30) == 0, service.output
    assert "Traceback" not in service.output and "KeyboardInterrupt" not in service.output, service.output

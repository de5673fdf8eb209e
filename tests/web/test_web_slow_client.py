"""Bad input: a slow client. While one client dribbles its request a byte at a time, others hold connections
open without a word, and one sends half of a request body and stops, the web server (``bot.web.serve``
ThreadedServer, uvicorn) keeps answering everybody else; the slow ones are answered once they finish.

No timing thresholds: the other clients must simply complete (within a generous overall timeout) while the
slow ones are provably still unfinished — each slow client sends its last bytes only after the others are done.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest

from bot.config import Settings
from bot.services import Services
from bot.web.app import create_web_app
from bot.web.playground_visitors import COOKIE, Visitors
from bot.web.serve import ThreadedServer
from handlers.emulator.driver import Emulator
from handlers.playground import playground_app

TIMEOUT = 30.0  # generous: a stuck server fails the test by this bound, never a slow machine


@pytest.fixture
def server(services: Services, load_example: Callable[..., str]) -> Iterator[ThreadedServer]:
    load_example("bo-warszawa-2027")
    asgi = create_web_app(services, Settings())
    asgi.mount("/playground", playground_app(Emulator("100000001:SLOW"), Visitors()))
    running = ThreadedServer(asgi).start()
    yield running
    running.stop()


def _connect(server: ThreadedServer) -> socket.socket:
    connection = socket.create_connection((server.host, server.port), timeout=TIMEOUT)
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each byte its own segment
    return connection


def _response(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (``Connection: close``)."""
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_slow_client_does_not_keep_others_waiting(server: ThreadedServer) -> None:
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as opener:  # a browser session and its resident
        page = opener.get("/playground/").text
        session = opener.cookies[COOKIE]
    found = re.search(r'<option value="(\d+)">', page)
    assert found is not None
    resident = int(found.group(1))
    request = b"GET /api/processes HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\nConnection: close\r\n\r\n"
    body = json.dumps({"text": "/start bo2027"}).encode()
    post_head = (
        f"POST /playground/api/users/{resident}/send HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {COOKIE}={session}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    others_done = threading.Event()
    dribbled = threading.Event()

    dribbler = _connect(server)

    def dribble() -> None:
        # A byte at a time, with a pause between bytes, all but the last two (the blank line that ends it).
        for byte in request[:-2]:
            dribbler.sendall(bytes([byte]))
            others_done.wait(0.005)
        dribbled.set()

    thread = threading.Thread(target=dribble, daemon=True)
    thread.start()
    silent = [_connect(server) for _ in range(30)]  # connected, never a word
    half_body = _connect(server)
    half_body.sendall(post_head + body[:5])  # the body is promised and stops after five bytes

    with httpx.Client(base_url=server.url, timeout=TIMEOUT, cookies={COOKIE: session}) as client:
        for path in ("/", "/healthz", "/p/bo2027", "/api/processes", "/api/processes/bo2027", "/playground/"):
            assert client.get(path).status_code == 200, path
        sent = client.post(f"/playground/api/users/{resident}/send", json={"text": "/procesy"})
        assert sent.status_code == 200 and sent.json() == {"ok": True}
    others_done.set()
    # The slow ones were still unfinished while the others were served; now they finish and are answered too.
    assert dribbled.wait(TIMEOUT)
    dribbler.sendall(request[-2:])
    answer = _response(dribbler)
    assert answer.startswith(b"HTTP/1.1 200") and b'"slug":"bo2027"' in answer
    half_body.sendall(body[5:])
    assert _response(half_body).startswith(b"HTTP/1.1 200")
    for connection in (dribbler, half_body, *silent):
        connection.close()
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        assert client.get("/healthz").json() == {"status": "ok"}  # and the server is still well afterwards

"""The emulator's HTTP side: the Bot API wire format on loopback, served by uvicorn in a background thread.

Playground routes (act as a user without Telegram): ``POST /_emulator/users/<id>/send`` with JSON ``{"text": …}``
or ``{"label": …}`` (tap a button), ``GET /_emulator/chats/<id>`` (what the chat received), and
``POST /_emulator/faults`` (inject 429 storms or 5xx errors, see :mod:`handlers.emulator.faults`).

Routes: ``/bot<token>/<method>`` (GET or POST; form-encoded, multipart, JSON or a query string) and
``/file/bot<token>/<path>``. Answers ``{"ok": true, "result": …}`` or ``{"ok": false, "error_code": N,
"description": …}`` with the HTTP status equal to ``error_code`` (python-telegram-bot classifies errors by
status), ``parameters.retry_after`` on 429. Point python-telegram-bot at it with
``base_url(server.base_url)`` and ``base_file_url(server.base_file_url)``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.web.serve import ThreadedServer
from handlers.emulator.driver import Emulator
from handlers.emulator.state import ApiError, UploadedFile

__all__ = ["EmulatorServer", "ThreadedServer", "build_asgi", "running_emulator"]


def build_asgi(emulator: Emulator) -> Starlette:
    """The ASGI app serving ``emulator``."""

    async def method(request: Request) -> Response:
        if request.path_params["token"] != emulator.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        params: dict[str, Any] = dict(request.query_params)
        files: dict[str, UploadedFile] = {}
        if request.method == "POST":
            kind = request.headers.get("content-type", "")
            if kind.startswith("application/json"):
                body = await request.body()
                if body:
                    try:
                        decoded = json.loads(body)
                    except (UnicodeDecodeError, json.JSONDecodeError):
                        decoded = None
                    if not isinstance(decoded, dict):  # Telegram answers 400 to a body it cannot read
                        refused = ApiError(400, "Bad Request: can't parse JSON object")
                        return JSONResponse(refused.envelope(), status_code=400)
                    params.update(decoded)
            elif kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
                try:
                    form = await request.form(max_part_size=50 * 1024 * 1024)
                except (HTTPException, ValueError, KeyError, AssertionError):  # a body no parser can read
                    refused = ApiError(400, "Bad Request: can't parse request body")
                    return JSONResponse(refused.envelope(), status_code=400)
                for name, value in form.multi_items():
                    if isinstance(value, UploadFile):
                        content = await value.read()
                        files[name] = UploadedFile(
                            value.filename or name, content, value.content_type or "application/octet-stream"
                        )
                    else:
                        params[name] = value
        try:
            result = await emulator.call(request.path_params["method"], params, files)
        except ApiError as error:
            return JSONResponse(error.envelope(), status_code=error.code)
        return JSONResponse({"ok": True, "result": result})

    async def file(request: Request) -> Response:
        if request.path_params["token"] != emulator.token:
            return Response(status_code=401)
        stored = emulator.file_content(request.path_params["path"])
        if stored is None:
            return Response(status_code=404)
        return Response(stored.content, media_type=stored.mime_type)

    async def say(request: Request) -> Response:
        body = await request.json() if (await request.body()) else {}
        user_id = emulator.ensure_user(
            int(request.path_params["user_id"]), str(body.get("first_name", "")), body.get("language_code", "pl")
        )
        if "label" in body:
            try:
                update_id = emulator.tap(user_id, str(body["label"]))
            except KeyError:
                return JSONResponse({"ok": False, "description": "no such button"}, status_code=404)
            except ValueError as error:  # a URL button to a web page: the emulator follows only deep links
                return JSONResponse({"ok": False, "description": str(error)}, status_code=400)
        else:
            update_id = emulator.send_text(user_id, str(body.get("text", "")))
        return JSONResponse({"ok": True, "update_id": update_id})

    async def chat(request: Request) -> Response:
        messages = emulator.received(int(request.path_params["chat_id"]))
        return JSONResponse(
            [
                {
                    "message_id": m.message_id,
                    "text": m.text,
                    "buttons": [[label for label, _ in row] for row in m.buttons],
                    "document": m.document.filename if m.document else None,
                }
                for m in messages
            ]
        )

    async def faults(request: Request) -> Response:
        body = await request.json() if (await request.body()) else {}
        try:
            if body.get("clear"):
                emulator.faults.clear()
            elif "probability" in body:
                emulator.faults.rate(
                    int(body["code"]), float(body["probability"]), retry_after=int(body.get("retry_after", 1))
                )
            else:
                emulator.faults.force(
                    int(body["code"]), int(body.get("count", 1)), retry_after=int(body.get("retry_after", 1))
                )
        except (KeyError, TypeError, ValueError) as error:
            return JSONResponse({"ok": False, "description": str(error)}, status_code=400)
        return JSONResponse({"ok": True, "injected": emulator.faults.counts(), "pending": emulator.faults.pending})

    return Starlette(
        routes=[
            Route("/_emulator/faults", faults, methods=["POST"]),
            Route("/_emulator/users/{user_id:int}/send", say, methods=["POST"]),
            Route("/_emulator/chats/{chat_id:int}", chat, methods=["GET"]),
            Route("/bot{token}/{method}", method, methods=["GET", "POST"]),
            Route("/file/bot{token}/{path:path}", file, methods=["GET"]),
        ]
    )


class EmulatorServer(ThreadedServer):
    """Serve an :class:`Emulator` over HTTP from a daemon thread."""

    def __init__(self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(build_asgi(emulator), host, port)
        self.emulator = emulator

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url``: methods go to ``{base_url}{token}/{method}``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url``."""
        return f"{self.url}/file/bot"

    def stop(self) -> None:
        """Answer pending long polls, stop serving and wait for the thread."""
        self.emulator.close()
        super().stop()


@contextlib.contextmanager
def running_emulator(emulator: Emulator | None = None, port: int = 0) -> Iterator[EmulatorServer]:
    """A started server for the block (a fresh :class:`Emulator` unless one is given)."""
    server = EmulatorServer(emulator or Emulator(), port=port).start()
    try:
        yield server
    finally:
        server.stop()

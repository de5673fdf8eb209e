"""The playground: talk to the bot in a browser, as a resident or as a moderator, with no Telegram account.

A small Telegram-like client of the Bot API emulator, mounted on the web app at ``/playground`` by ``glos run``
when the emulator stands in for Telegram. It acts through the emulator's test API (a user sends text, taps a
button, receives messages), so the real python-telegram-bot adapter and the core handle everything. The page is
plain HTML and JavaScript (``bot/templates/web/playground.html``, no external assets), in Polish or English.
Each browser session has a pretend resident and a pretend moderator of its own (random ids; the moderator is an
admin of the sandbox only) and sees nobody else's chat (:mod:`bot.web.playground_visitors`). The bot behind the
emulator runs on the playground's own store, never the deployment's (``bot.sandbox``).

With a :class:`~bot.web.playground_mail.MailPaneWeb` the page also has the e-mail pane (the mail the bot sent
to a pretend NGO member, and a form to reply) and its ``api/mail`` endpoints.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from bot.i18n import LANGUAGE_NAMES, translator
from bot.web.language import request_language
from bot.web.playground_mail import MailPaneWeb
from bot.web.playground_visitors import Visitor, Visitors
from handlers.emulator.driver import Emulator

__all__ = ["playground_app"]

MAX_TEXT = 4096

_PAGE = Environment(loader=PackageLoader("bot", "templates/web"), autoescape=select_autoescape()).get_template(
    "playground.html"
)
_NO_SESSION = {"ok": False, "description": "no playground session: open the playground page again"}


def playground_app(
    emulator: Emulator,
    visitors: Visitors,
    mail: MailPaneWeb | None = None,
    *,
    bot_name: str = "Głos",
) -> Starlette:
    """The playground page and its small JSON API around ``emulator`` (and the e-mail pane of ``mail``).

    The page speaks the visitor's language (``?lang=``, else the browser's), like the public pages. Opening it
    starts a session (:mod:`bot.web.playground_visitors`); every endpoint serves only the pretend users of the
    caller's session: another user's chat, documents or messages are refused (404), and a request without a
    session gets 403.
    """

    async def page(request: Request) -> Response:
        visitor, new = await run_in_threadpool(visitors.of_or_new, request)  # a new one's grant writes the sandbox
        language = request_language(request)
        pane = await run_in_threadpool(mail.html, request, visitor) if mail is not None else ""
        html = _PAGE.render(
            t=translator(language),
            language=language,
            others=[(code, name) for code, name in LANGUAGE_NAMES.items() if code != language],
            bot=bot_name,
            resident=visitor.resident,
            moderator=visitor.moderator,
            mail_pane=Markup(pane),  # rendered by its own template, escaped there
        )
        response = HTMLResponse(html, headers={"Cache-Control": "no-store"})
        if new:
            visitors.set_cookie(response, visitor, request)
        return response

    def own(request: Request) -> tuple[int, Visitor | None, Response | None]:
        """The user id of the path if the caller's session owns it, else the refusal to answer."""
        user_id = int(request.path_params["user_id"])
        visitor = visitors.of(request)
        if visitor is None:
            return user_id, None, JSONResponse(_NO_SESSION, status_code=403)
        if not visitor.owns(user_id):
            return user_id, visitor, JSONResponse({"ok": False, "description": "not your chat"}, status_code=404)
        return user_id, visitor, None

    async def chat(request: Request) -> Response:
        user_id, _, refusal = own(request)
        return refusal or JSONResponse(emulator.transcript(user_id))

    async def document(request: Request) -> Response:
        chat_id, _, refusal = own(request)
        if refusal is not None:
            return refusal
        message_id = int(request.path_params["message_id"])
        for message in emulator.received(chat_id):
            if message.message_id == message_id and message.document is not None:
                return Response(
                    message.document.content,
                    media_type=message.document.mime_type,
                    headers={"Content-Disposition": f'attachment; filename="{message.document.filename}"'},
                )
        return JSONResponse({"ok": False}, status_code=404)

    async def send(request: Request) -> Response:
        user_id, visitor, refusal = own(request)
        if refusal is not None:
            return refusal
        assert visitor is not None
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"ok": False, "description": "JSON expected"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"ok": False, "description": "a JSON object expected"}, status_code=400)
        emulator.ensure_user(user_id, "Moderator" if user_id == visitor.moderator else "Mieszkaniec", "pl")
        if "label" in body:
            message_id = body.get("message_id")
            try:
                emulator.tap(user_id, str(body["label"]), message_id=int(message_id) if message_id else None)
            except (KeyError, ValueError):
                return JSONResponse({"ok": False, "description": "no such button"}, status_code=404)
        elif str(body.get("text", "")).strip():
            emulator.send_text(user_id, str(body["text"])[:MAX_TEXT])
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/", page),
            Route("/api/chats/{user_id:int}", chat),
            Route("/api/chats/{user_id:int}/documents/{message_id:int}", document),
            Route("/api/users/{user_id:int}/send", send, methods=["POST"]),
            *(mail.routes(visitors) if mail is not None else []),
        ]
    )

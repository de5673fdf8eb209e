"""The playground's e-mail pane: the mail the bot sent to a pretend NGO member, and a form to reply.

The pane is a fragment of the playground page (template ``playground_mail.html``, script
``static/playground_mail.js``) with a small JSON API beside the playground's own endpoints:

- ``GET  api/mail?address=A`` — the mail captured for ``A``, newest first (from, to, subject, date, text);
- ``POST api/mail/invite`` ``{"address", "slug"}`` — put ``A`` on the process's roster and invite them;
- ``POST api/mail/reply`` ``{"address", "message_id", "text"}`` — reply to one of ``A``'s mails.

The mail side is any :class:`MailPane` (``mail.playground.PlaygroundMail`` in ``glos run``, on the playground's
own store): the core never imports a transport. Each browser session starts with a member address of its own
and sees only the addresses it owns (:mod:`bot.web.playground_visitors`): listing another session's address
shows nothing, replying as it is refused (404), inviting it is refused (403, ``playground_mail.taken``), and a
request without a session gets 403. Texts are plain strings in JSON and the script puts them in the page as
text, never as HTML, so markup in a mail is shown, not run. Refusals are ``{"ok": false, "error", "message"}``
with 400, 403 or 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.domain import Phase
from bot.errors import GlosError, InputError, NotFound
from bot.i18n import Translator, translator
from bot.services import Services
from bot.web.language import request_language
from bot.web.playground_visitors import Visitor, Visitors

__all__ = ["MailPane", "MailPaneWeb", "ShownMail"]


@dataclass(frozen=True)
class ShownMail:
    """One captured e-mail as the pane shows it; ``to`` holds the lower-cased recipient addresses."""

    message_id: str
    sender: str
    to: list[str]
    subject: str
    date: datetime | None
    text: str
    reply_to: str


class MailPane(Protocol):
    """The mail side of the pane (see ``mail.playground.PlaygroundMail``)."""

    def mails(self, address: str) -> list[ShownMail]:
        """The mail captured for ``address``, newest first."""
        ...

    def invite(self, address: str, slug: str, language: str) -> int:
        """Roster ``address`` on ``slug`` and queue the invitation; returns how many were queued."""
        ...

    def reply(self, address: str, message_id: str, text: str, attribution: Any) -> str:
        """Deliver ``address``'s reply to the mail ``message_id``; returns the reply's Message-ID."""
        ...


class MailPaneWeb:
    """The pane's HTML fragment (:meth:`html`) and JSON routes (:meth:`routes`) around a :class:`MailPane`."""

    def __init__(self, pane: MailPane, services: Services, zone: ZoneInfo | None = None) -> None:
        self.pane = pane
        self.services = services
        self.zone = zone or services.context.zone
        self._templates = Environment(
            loader=PackageLoader("bot", "templates/web"), autoescape=select_autoescape(["html"])
        )

    def _t(self, request: Request) -> Translator:
        return translator(request_language(request), self.zone)

    def html(self, request: Request, visitor: Visitor) -> str:
        """The pane in the request's language (``?lang=``, else ``Accept-Language``), with the open processes."""
        t = self._t(request)
        processes = [(info.slug, info.title(t.language)) for info in self.services.processes.list((Phase.OPEN,))]
        # NGO consultations first: the e-mail channel is made for them.
        processes.sort(key=lambda entry: 0 if entry[0].startswith("program-") else 1)
        messages = {
            "from": t("playground_mail.from"),
            "to": t("playground_mail.to"),
            "date": t("playground_mail.date"),
            "reply_label": t("playground_mail.reply_label"),
            "send": t("playground_mail.send"),
            "sent": t("playground_mail.sent"),
            "none": t("playground_mail.none"),
            "failed": t("playground_mail.failed"),
            "invited": t("playground_mail.invited", address="{address}"),
            "invited_before": t("playground_mail.invited_before", address="{address}"),
        }
        return self._templates.get_template("playground_mail.html").render(
            t=t, lang=t.language, processes=processes, member=visitor.member, messages=messages
        )

    def _refusal(self, request: Request, error: GlosError, status: int | None = None) -> Response:
        status = status or (404 if isinstance(error, NotFound) else 400)
        message = self._t(request)(error.key, **error.params)
        return JSONResponse({"ok": False, "error": error.key, "message": message}, status_code=status)

    @staticmethod
    async def _body(request: Request) -> dict[str, Any] | None:
        try:
            body = await request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def routes(self, visitors: Visitors) -> list[Route]:
        """The JSON endpoints, relative to the playground's mount point. Each serves only the addresses the
        caller's session owns (:class:`~bot.web.playground_visitors.Visitors`): its own member address and those
        it invited; an address another session owns is refused."""

        def session(request: Request) -> Visitor | Response:
            visitor = visitors.of(request)
            if visitor is None:
                return JSONResponse(
                    {"ok": False, "error": "session", "message": self._t(request)("playground_mail.no_session")},
                    status_code=403,
                )
            return visitor

        async def listing(request: Request) -> Response:
            visitor = session(request)
            if isinstance(visitor, Response):
                return visitor
            t = self._t(request)
            address = request.query_params.get("address", "")
            try:
                mails = await run_in_threadpool(self.pane.mails, address)  # refuses what is not an address
            except GlosError as error:
                return self._refusal(request, error)
            if address.strip().lower() not in visitor.addresses:  # nobody else's mail, not even whether there is
                mails = []
            shown = [
                {
                    "message_id": mail.message_id,
                    "from": mail.sender,
                    "to": ", ".join(mail.to),
                    "subject": mail.subject,
                    "date": t.datetime(mail.date) if mail.date else "",
                    "text": mail.text,
                }
                for mail in mails
            ]
            return JSONResponse({"address": address.strip().lower(), "mails": shown})

        async def invite(request: Request) -> Response:
            visitor = session(request)
            if isinstance(visitor, Response):
                return visitor
            body = await self._body(request)
            if body is None:
                return JSONResponse({"ok": False, "error": "json", "message": "JSON expected"}, status_code=400)
            t = self._t(request)
            if not visitors.claim(visitor, str(body.get("address", "")).strip().lower()):
                return self._refusal(request, InputError("playground_mail.taken"), status=403)
            try:
                queued = await run_in_threadpool(
                    self.pane.invite, str(body.get("address", "")), str(body.get("slug", "")), t.language
                )
            except GlosError as error:
                return self._refusal(request, error)
            return JSONResponse({"ok": True, "queued": queued})

        async def reply(request: Request) -> Response:
            visitor = session(request)
            if isinstance(visitor, Response):
                return visitor
            body = await self._body(request)
            if body is None:
                return JSONResponse({"ok": False, "error": "json", "message": "JSON expected"}, status_code=400)
            t = self._t(request)
            if str(body.get("address", "")).strip().lower() not in visitor.addresses:
                return self._refusal(request, NotFound("playground_mail.no_such_mail"))

            def attribution(original: ShownMail) -> str:
                when = t.datetime(original.date) if original.date else ""
                return t("playground_mail.attribution", date=when, sender=original.sender)

            try:
                message_id = await run_in_threadpool(
                    self.pane.reply,
                    str(body.get("address", "")),
                    str(body.get("message_id", "")),
                    str(body.get("text", "")),
                    attribution,
                )
            except GlosError as error:
                return self._refusal(request, error)
            return JSONResponse({"ok": True, "message_id": message_id})

        return [
            Route("/api/mail", listing),
            Route("/api/mail/invite", invite, methods=["POST"]),
            Route("/api/mail/reply", reply, methods=["POST"]),
        ]

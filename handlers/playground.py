"""The playground: talk to the bot in a browser, as a resident or as a moderator, with no Telegram account.

A small Telegram-like client of the Bot API emulator, mounted on the web app at ``/playground`` by ``glos run``
when the emulator stands in for Telegram. It acts through the emulator's test API (a user sends text, taps a
button, receives messages), so the real python-telegram-bot adapter and the core handle everything. The page is
plain HTML and JavaScript served from here (no external assets). User 900 is the moderator when
``[bot] admins`` names ``"900"`` (``glos run`` grants that to the playground), any other id a resident.

With a :class:`~bot.web.playground_mail.MailPaneWeb` the page also has the e-mail pane (the mail the bot sent
to a pretend NGO member, and a form to reply) and its ``api/mail`` endpoints.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from bot.web.playground_mail import MailPaneWeb
from handlers.emulator.state import Emulator

__all__ = ["MODERATOR_ID", "RESIDENT_ID", "playground_app"]

RESIDENT_ID = 1001
MODERATOR_ID = 900
MAX_TEXT = 4096

PAGE = """<!doctype html>
<html lang="pl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Głos — plac zabaw / playground</title>
<style>
  body { margin: 0; font: 16px/1.45 system-ui, sans-serif; background: #e8eef3; color: #1a1a1a; }
  header { background: #0b5394; color: #fff; padding: .6rem 1rem; display: flex; gap: 1rem; align-items: center; }
  header h1 { font-size: 1.1rem; margin: 0; flex: 1; }
  header label { font-size: .9rem; }
  .panes { display: flex; flex-wrap: wrap; }
  main { flex: 1 1 26rem; max-width: 44rem; margin: 0 auto; display: flex; flex-direction: column;
    height: calc(100vh - 3rem); }
  #mail-pane { flex: 1 1 22rem; height: calc(100vh - 3rem); }
  #log { flex: 1; overflow-y: auto; padding: 1rem; list-style: none; margin: 0; }
  #log li { max-width: 85%; margin: .4rem 0; padding: .5rem .75rem; border-radius: .6rem; white-space: pre-wrap; }
  #log li.user { margin-left: auto; background: #d9fdd3; }
  #log li.bot { background: #fff; }
  .buttons { display: flex; flex-wrap: wrap; gap: .3rem; margin-top: .4rem; }
  .buttons button { border: 1px solid #0b5394; background: #f3f8fd; color: #0b5394; border-radius: .4rem;
    padding: .3rem .6rem; font: inherit; cursor: pointer; }
  form { display: flex; gap: .5rem; padding: .75rem; background: #fff; border-top: 1px solid #c8c8c8; }
  form input { flex: 1; font: inherit; padding: .5rem; border: 1px solid #888; border-radius: .4rem; }
  form button { font: inherit; padding: .5rem 1rem; background: #0b5394; color: #fff; border: 0; border-radius: .4rem; }
  :focus { outline: 3px solid #f2a900; outline-offset: 2px; }
</style>
</head>
<body>
<header>
  <h1>Głos — plac zabaw / playground</h1>
  <label>Jako / as
    <select id="who" aria-label="Jako kto piszesz / who you are">
      <option value="__RESIDENT__">mieszkaniec / resident (__RESIDENT__)</option>
      <option value="__MODERATOR__">moderator (__MODERATOR__)</option>
    </select>
  </label>
</header>
<div class="panes">
<main>
  <ol id="log" aria-live="polite" aria-label="Rozmowa / conversation"></ol>
  <form id="send">
    <input id="text" autocomplete="off" placeholder="/start bo2027" aria-label="Wiadomość / message">
    <button type="submit">Wyślij</button>
  </form>
</main>
__MAIL_PANE__
</div>
<script>
const log = document.getElementById("log"), who = document.getElementById("who");
let shown = "";
async function refresh() {
  const response = await fetch(`api/chats/${who.value}`);
  const messages = await response.json();
  const signature = JSON.stringify(messages);
  if (signature === shown) return;
  shown = signature;
  log.replaceChildren(...messages.map(message => {
    const item = document.createElement("li");
    item.className = message.from;
    item.textContent = message.text;
    if (message.document) {
      const link = document.createElement("a");
      link.href = `api/chats/${who.value}/documents/${message.message_id}`;
      link.textContent = "\\n📎 " + message.document;
      item.append(link);
    }
    if (message.buttons.length) {
      const row = document.createElement("div");
      row.className = "buttons";
      for (const label of message.buttons.flat()) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = label;
        button.onclick = () => act({label, message_id: message.message_id});
        row.append(button);
      }
      item.append(row);
    }
    return item;
  }));
  log.scrollTop = log.scrollHeight;
}
async function act(body) {
  await fetch(`api/users/${who.value}/send`, {method: "POST", headers: {"content-type": "application/json"},
                                              body: JSON.stringify(body)});
  setTimeout(refresh, 300);
}
document.getElementById("send").onsubmit = event => {
  event.preventDefault();
  const input = document.getElementById("text");
  if (input.value.trim()) act({text: input.value});
  input.value = "";
};
who.onchange = () => { shown = ""; refresh(); };
setInterval(refresh, 1000);
refresh();
</script>
</body>
</html>
"""


def playground_app(emulator: Emulator, mail: MailPaneWeb | None = None) -> Starlette:
    """The playground page and its small JSON API around ``emulator`` (and the e-mail pane of ``mail``)."""

    async def page(request: Request) -> Response:
        html = PAGE.replace("__RESIDENT__", str(RESIDENT_ID)).replace("__MODERATOR__", str(MODERATOR_ID))
        pane = await run_in_threadpool(mail.html, request) if mail is not None else ""
        return HTMLResponse(html.replace("__MAIL_PANE__", pane))

    async def chat(request: Request) -> Response:
        return JSONResponse(emulator.transcript(int(request.path_params["user_id"])))

    async def document(request: Request) -> Response:
        chat_id, message_id = int(request.path_params["user_id"]), int(request.path_params["message_id"])
        for message in emulator.received(chat_id):
            if message.message_id == message_id and message.document is not None:
                return Response(
                    message.document.content,
                    media_type=message.document.mime_type,
                    headers={"Content-Disposition": f'attachment; filename="{message.document.filename}"'},
                )
        return JSONResponse({"ok": False}, status_code=404)

    async def send(request: Request) -> Response:
        user_id = int(request.path_params["user_id"])
        if user_id <= 0:
            return JSONResponse({"ok": False}, status_code=400)
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"ok": False, "description": "JSON expected"}, status_code=400)
        emulator.ensure_user(user_id, "Moderator" if user_id == MODERATOR_ID else "Mieszkaniec", "pl")
        if "label" in body:
            message_id = body.get("message_id")
            try:
                emulator.tap(user_id, str(body["label"]), message_id=int(message_id) if message_id else None)
            except KeyError:
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
            *(mail.routes() if mail is not None else []),
        ]
    )

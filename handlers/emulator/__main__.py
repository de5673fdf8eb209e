"""Run the Bot API emulator on its own: ``python -m handlers.emulator [--port 8081] [--token T] [--no-flood]``.

Point a bot at ``http://127.0.0.1:PORT`` as its ``[telegram] api_url`` with the same token — or any Bot API
framework (python-telegram-bot: ``base_url="http://127.0.0.1:PORT/bot"``; aiogram:
``TelegramAPIServer.from_base("http://127.0.0.1:PORT")``; ``tests/telegram/contract/`` proves both) — and talk to
it through the playground routes (``POST /_emulator/users/<id>/send``, ``GET /_emulator/chats/<id>``).
"""

from __future__ import annotations

import argparse

import uvicorn

from handlers.emulator.driver import Emulator
from handlers.emulator.flood import FloodLimits
from handlers.emulator.server import build_asgi


def main(argv: list[str] | None = None) -> None:
    """Parse the options and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m handlers.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:EMULATOR")
    parser.add_argument("--no-flood", action="store_true", help="switch flood control off")
    options = parser.parse_args(argv)
    emulator = Emulator(options.token, limits=FloodLimits.off() if options.no_flood else FloodLimits())
    print(f"Bot API emulator: http://{options.host}:{options.port}/bot{options.token}/getMe", flush=True)
    uvicorn.run(build_asgi(emulator), host=options.host, port=options.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()

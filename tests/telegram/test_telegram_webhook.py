"""Webhook mode: the emulator POSTs updates with the secret header; requests without it are refused."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

from bot.commands.registry import COMMANDS
from bot.services import Services
from handlers.application import build_bot
from handlers.emulator import Emulator, EmulatorServer
from handlers.emulator.server import ThreadedServer
from handlers.webhook import SECRET_HEADER, WEBHOOK_PATH, start_webhook, stop_webhook, webhook_app


async def test_updates_arrive_by_webhook_and_forged_requests_are_refused(
    emulator: Emulator, services: Services, load_example: Callable[..., str]
) -> None:
    load_example("bo-warszawa-2027")
    api = EmulatorServer(emulator).start()
    bot = build_bot(services, COMMANDS, token=emulator.token, api_url=api.url)
    hook = ThreadedServer(webhook_app(bot, "s3cret-token", asyncio.get_running_loop())).start()
    try:
        await start_webhook(bot, url=f"{hook.url}{WEBHOOK_PATH}", secret="s3cret-token")
        assert emulator.webhook_url.endswith(WEBHOOK_PATH)
        emulator.send_text(101, "/start bo2027")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not emulator.received(101):
            await asyncio.sleep(0.02)
        assert "Witaj" in emulator.received(101)[0].text
        async with httpx.AsyncClient() as client:
            update = {"update_id": 999, "message": {"message_id": 1, "date": 0, "chat": {"id": 101, "type": "private"}}}
            forged = await client.post(f"{hook.url}{WEBHOOK_PATH}", json=update)
            wrong = await client.post(f"{hook.url}{WEBHOOK_PATH}", json=update, headers={SECRET_HEADER: "guess"})
            garbage = await client.post(
                f"{hook.url}{WEBHOOK_PATH}", content=b"not json", headers={SECRET_HEADER: "s3cret-token"}
            )
        assert (forged.status_code, wrong.status_code, garbage.status_code) == (403, 403, 400)
        assert [status for _, status in emulator.deliveries] == [200]
    finally:
        await stop_webhook(bot)
        hook.stop()
        api.stop()
    assert emulator.webhook_url == ""

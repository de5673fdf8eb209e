"""One resident's update waiting for the store does not keep the bot from answering the others.

The core is synchronous and may wait: on SQLite a write waits for another process's write lock (the
scheduler, the mail intake, a moderator's import) for up to the busy timeout. The adapter runs the core in
worker threads, so that wait holds up only the update that needs the lock.
"""

from __future__ import annotations

from typing import Any

import pytest


async def test_a_change_waiting_for_the_write_lock_does_not_hold_up_another_resident(telegram: Any) -> None:
    context = telegram.services.context
    if context.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock is what this scenario holds")
    await telegram.say(101, "/pomoc")  # both are known to the bot: answering them only reads the store
    await telegram.say(102, "/help")
    with context.connection() as holder:
        holder.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE: another process holds the write lock
        waiting = telegram.emulator.send_text(101, "/jezyk en")  # needs the lock: waits in its worker thread
        answer = await telegram.say(102, "/help")
        assert "Commands:" in answer  # answered while Ania's change still waits for the store
        assert waiting not in telegram.finished
    await telegram.handled(waiting)  # the lock is free: her change goes through
    assert telegram.last(101).text == "Language set to English."

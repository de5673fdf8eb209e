"""SQLite busy: several OS processes cast ballots into one SQLite file at the same moment. SQLite has one writer
at a time; the others must wait for the lock (``busy_timeout``, ``BEGIN IMMEDIATE``), never tell a person
"database is locked", and lose nothing: every reply is a receipt, every receipt is stored once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.domain import Channel

from .conftest import ROOT, SECRET, VOTE, figures, prepare_store

pytestmark = pytest.mark.faults

WORKERS = 4
CASTS = 250  # per worker

WORKER = """
import json, sys, time
from bot.app import build_app
from bot.config import load_settings
from bot.console import ConsoleChannel

url, worker, casts, slug, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
application = build_app(load_settings(None, {"GLOS_STORAGE__URL": url, "GLOS_BOT__SECRET_KEY": sys.argv[6]}))
while time.time() < go:  # every worker starts casting at the same moment
    time.sleep(0.005)
for number in range(casts):
    user = f"w{worker}u{number}"
    try:
        lines = ConsoleChannel(application.services, application.commands, user).handle(f"/glosuj {slug} q1: TAK")
    except Exception as error:  # what a person would have seen instead of a reply
        lines = [f"EXCEPTION {type(error).__name__}: {error}"]
    print(json.dumps({"user": user, "reply": "\\n".join(lines)}), flush=True)
"""


def test_several_processes_cast_at_once_into_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/glos.db"
    store = prepare_store(url, folder=tmp_path)
    go = time.time() + 4.0  # after every worker has imported and connected
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, str(number), str(CASTS), VOTE, str(go), SECRET],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for number in range(WORKERS)
    ]
    replies: list[dict[str, str]] = []
    for worker in workers:
        out, err = worker.communicate(timeout=240)
        assert worker.returncode == 0, err.decode()
        replies += [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    seconds = time.time() - go

    from .conftest import RECEIPT

    locked = [r for r in replies if "locked" in r["reply"].lower() or "EXCEPTION" in r["reply"]]
    codes = {r["user"]: RECEIPT.findall(r["reply"]) for r in replies}
    stored_once = 0
    for user, found in codes.items():
        assert len(found) == 1, f"{user} got no receipt: {found}"
        assert store.ballots_with_receipt(found[0]) == 1
        person = store.person_of(Channel.CONSOLE, user)
        assert person is not None and store.revisions(VOTE, person) == 1
        stored_once += 1
    figures(
        "sqlite_busy",
        processes=WORKERS,
        casts=len(replies),
        receipts=sum(len(found) for found in codes.values()),
        stored_once=stored_once,
        locked_or_errors_shown=len(locked),
        seconds=f"{seconds:.1f}",
    )
    assert len(replies) == WORKERS * CASTS
    assert not locked, locked[:3]
    store.close()

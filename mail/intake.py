"""Intake: read replies from an IMAP mailbox (imapclient) or a local Maildir and hand each to the processor.

IMAP (:class:`ImapIntake`): UID-based incremental fetch (``UID last+1:*``, keeping only ``uid > last`` since the
server answers the highest UID even when it is lower), ``BODY.PEEK[]`` so ``\\Seen`` is untouched, each message
processed (one database transaction) and then moved to the Processed or Ignored folder. The last UID and the
UIDVALIDITY live in memory only, on purpose: processed messages leave the inbox, so after a restart the inbox
holds exactly the unfinished work, and a new UIDVALIDITY simply means "read the folder again" — a message seen
before is a no-op by its Message-ID (and is then moved on). :meth:`ImapIntake.run` waits with IDLE (re-issued
every ``idle_seconds``, well under 29 minutes) and falls back to polling every ``poll_seconds`` when the
server has no IDLE; a lost connection is re-opened with exponential backoff and followed by a full catch-up.

Maildir (:class:`MaildirIntake`): each message in ``new/`` and ``cur/`` is processed, then moved to the
``.Processed`` / ``.Ignored`` sub-folder (Maildir++).

A message whose handling raises is never retried forever (it would stall every round): unless the error is the
store's or the network's (:func:`mail.quarantine.is_transient`, the message stays for the next round), it is
moved at once to the quarantine folder with its reason and the intake goes on with the next one
(:mod:`mail.quarantine`).
"""

from __future__ import annotations

import contextlib
import logging
import mailbox
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from mail import quarantine
from mail.processor import MailProcessor, Outcome

__all__ = ["ImapConfig", "ImapIntake", "MaildirIntake"]

log = logging.getLogger(__name__)
_BATCH = 200


@dataclass(frozen=True)
class ImapConfig:
    """The mailbox: server, TLS (``ssl``, ``starttls``, ``none``), login, folders."""

    host: str
    port: int
    user: str
    password: str
    tls: str = "ssl"
    inbox: str = "INBOX"
    processed: str = "Processed"
    ignored: str = "Ignored"
    timeout: float = 60.0
    quarantine: str = "Quarantine"


@dataclass
class ImapIntake:
    """Reads an IMAP folder; see the module docstring. ``sleep`` is injectable for tests of the backoff."""

    config: ImapConfig
    processor: MailProcessor
    idle_seconds: float = 25 * 60
    poll_seconds: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    client: IMAPClient | None = None
    uidvalidity: int | None = None
    last_uid: int = 0
    # the latest outcomes only (for logs and tests): a long run must not grow without bound
    outcomes: deque[Outcome] = field(default_factory=lambda: deque(maxlen=1000))

    def connect(self) -> IMAPClient:
        """Log in, make sure the folders exist, select the inbox (a new UIDVALIDITY restarts from UID 0)."""
        config = self.config
        client = IMAPClient(config.host, port=config.port, ssl=config.tls == "ssl", timeout=config.timeout)
        if config.tls == "starttls":
            client.starttls()
        client.login(config.user, config.password)
        for folder in (config.processed, config.ignored, config.quarantine):
            if not client.folder_exists(folder):
                client.create_folder(folder)
        status = client.select_folder(config.inbox)
        validity = int(status[b"UIDVALIDITY"])
        if validity != self.uidvalidity:
            log.info(
                "UIDVALIDITY of %s is %s (was %s): reading the folder from the start",
                config.inbox,
                validity,
                self.uidvalidity,
            )
            self.uidvalidity = validity
            self.last_uid = 0
        self.client = client
        return client

    def close(self) -> None:
        """Log out (quietly: the connection may be gone already)."""
        if self.client is not None:
            with contextlib.suppress(IMAPClientError, OSError):
                self.client.logout()
            self.client = None

    def catch_up(self) -> int:
        """Process every message above the last UID; returns how many were processed."""
        client = self.client or self.connect()
        client.noop()  # lets the server sync the selected folder: a SEARCH alone may not see new arrivals
        done = 0
        while True:
            uids = sorted(uid for uid in client.search(["UID", f"{self.last_uid + 1}:*"]) if uid > self.last_uid)
            if not uids:
                return done
            for start in range(0, len(uids), _BATCH):
                chunk = uids[start : start + _BATCH]
                fetched = client.fetch(chunk, ["BODY.PEEK[]"])
                processed: list[int] = []
                ignored: list[int] = []
                for uid in chunk:
                    data = fetched.get(uid)
                    if data is None:
                        continue
                    raw = bytes(data[b"BODY[]"])
                    try:
                        outcome = self.processor.process(raw)
                    except Exception as error:
                        # The transaction was rolled back, so nothing of this reply was kept.
                        if quarantine.is_transient(error):  # the store went away: read it again next round
                            log.exception("message UID %s could not be processed; left in the inbox", uid)
                            continue
                        self._quarantine(client, uid, raw, error)
                        continue
                    self.outcomes.append(outcome)
                    (ignored if outcome.folder == "ignored" else processed).append(uid)
                    done += 1
                # Moved only after each message's transaction committed: a crash before the move means a
                # re-fetch, which the Message-ID makes a no-op.
                if processed:
                    client.move(processed, self.config.processed)
                if ignored:
                    client.move(ignored, self.config.ignored)
                self.last_uid = max(self.last_uid, chunk[-1])

    def _quarantine(self, client: IMAPClient, uid: int, raw: bytes, error: Exception) -> None:
        """Set message ``uid`` aside in the quarantine folder with its reason (see :mod:`mail.quarantine`)."""
        reason = quarantine.reason_of(error)
        log.error("message UID %s quarantined: %s", uid, reason, exc_info=error)
        try:
            quarantine.record(self.processor.services.context, raw, reason)
        except Exception:
            log.exception("the quarantine of UID %s could not be recorded; left in the inbox", uid)
            return
        client.append(self.config.quarantine, quarantine.annotate(raw, reason))
        client.delete_messages([uid])
        if client.has_capability("UIDPLUS"):
            client.uid_expunge([uid])  # only this message: others flagged \\Deleted by a person stay
        else:
            client.expunge()
        self.processor.services.context.metrics.inc(
            "glos_mail_quarantined_total", doc="E-mail messages moved to the quarantine folder."
        )

    def wait(self) -> bool:
        """Wait for new mail: IDLE up to ``idle_seconds`` (then it is re-issued by the caller's loop), or sleep
        ``poll_seconds`` when the server has no IDLE. True when the server announced a change."""
        client = self.client or self.connect()
        if b"IDLE" not in client.capabilities():
            self.sleep(self.poll_seconds)
            return True
        client.idle()
        try:
            responses = client.idle_check(timeout=self.idle_seconds)
        finally:
            client.idle_done()
        # Keepalives ("OK Still here") are not work; EXISTS/EXPUNGE/FETCH are.
        return any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT", b"FETCH", b"EXPUNGE") for r in responses)

    def run(self, *, stop: Callable[[], bool] = lambda: False, on_round: Callable[[], object] = lambda: None) -> None:
        """Catch up, call ``on_round`` (e.g. send the queued confirmations), wait, and again, until ``stop()``.

        A lost connection is re-opened after a pause that doubles from 1 s up to 5 minutes, then caught up by
        UID, so nothing that arrived meanwhile is missed.
        """
        backoff = 1.0
        while not stop():
            try:
                if self.client is None:
                    self.connect()
                self.catch_up()
                on_round()
                backoff = 1.0
                if not stop():
                    self.wait()
            except (IMAPClientError, OSError) as error:
                log.warning("IMAP connection lost (%s); reconnecting in %.0f s", error, backoff)
                self.client = None
                self.sleep(backoff)
                backoff = min(backoff * 2, 300.0)


@dataclass
class MaildirIntake:
    """Reads a Maildir the MTA delivers to; processed messages move to ``.Processed`` / ``.Ignored``."""

    path: Path
    processor: MailProcessor
    processed: str = "Processed"
    ignored: str = "Ignored"
    quarantine: str = "Quarantine"

    def catch_up(self) -> list[Outcome]:
        """Process every message in the Maildir's inbox; returns the outcomes."""
        box = mailbox.Maildir(self.path, create=True)
        folders = {name: self._folder(box, name) for name in (self.processed, self.ignored, self.quarantine)}
        outcomes = []
        for key in sorted(box.keys()):
            try:
                raw = box.get_bytes(key)
            except KeyError:
                continue  # taken by another reader meanwhile
            try:
                outcome = self.processor.process(raw)
            except Exception as error:
                if quarantine.is_transient(error):
                    log.exception("message %s could not be processed; left in the Maildir", key)
                    continue
                reason = quarantine.reason_of(error)
                log.error("message %s quarantined: %s", key, reason, exc_info=error)
                try:
                    quarantine.record(self.processor.services.context, raw, reason)
                except Exception:
                    log.exception("the quarantine of %s could not be recorded; left in the Maildir", key)
                    continue
                folders[self.quarantine].add(mailbox.MaildirMessage(quarantine.annotate(raw, reason)))
                box.discard(key)
                self.processor.services.context.metrics.inc(
                    "glos_mail_quarantined_total", doc="E-mail messages moved to the quarantine folder."
                )
                continue
            target = folders[self.ignored if outcome.folder == "ignored" else self.processed]
            target.add(mailbox.MaildirMessage(raw))
            box.discard(key)
            outcomes.append(outcome)
        return outcomes

    @staticmethod
    def _folder(box: mailbox.Maildir, name: str) -> mailbox.Maildir:
        try:
            return box.get_folder(name)
        except mailbox.NoSuchMailboxError:
            return box.add_folder(name)

"""Logging for the ``glos`` processes: one format, and no secret in any line.

Libraries log URLs that carry the bot token (httpx logs ``POST https://api.telegram.org/bot<TOKEN>/getUpdates``
at INFO, which ``glos -v`` shows) and a traceback may quote a URL with a database password. :class:`Redact`,
installed on the handlers by :func:`configure`, rewrites those parts of every record before it is written:
a Telegram token (``<digits>:<35 url-safe characters>``) and the password of a ``scheme://user:password@``
URL. Known secrets of the configuration (``extra``) are replaced wherever they appear.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

__all__ = ["Redact", "configure", "redact"]

_TOKEN = re.compile(r"(?<![0-9])[0-9]{5,}:[A-Za-z0-9_-]{20,}")
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+@")


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """``text`` with bot tokens, URL passwords and each of ``extra`` (non-empty) replaced by ``***``."""
    for secret in extra:
        if secret:
            text = text.replace(secret, "***")
    text = _TOKEN.sub("***", text)
    return _URL_PASSWORD.sub(r"\1***@", text)


class Redact(logging.Filter):
    """A handler filter that writes each record with its secrets replaced (see :func:`redact`)."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        super().__init__()
        self.extra = [secret for secret in extra if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self.extra)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_text is None and record.exc_info[0] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), self.extra)
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, self.extra)
        return True


def configure(verbose: bool, fmt: str = "%(levelname)s %(name)s: %(message)s") -> None:
    """Log to standard error at INFO (``verbose``) or WARNING, through :class:`Redact`."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format=fmt)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(existing, Redact) for existing in handler.filters):
            handler.addFilter(Redact())

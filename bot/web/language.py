"""The language a web request is answered in: ``?lang=`` first, then the browser's ``Accept-Language``, else Polish."""

from __future__ import annotations

from starlette.requests import Request

from bot.i18n import LANGUAGES

__all__ = ["request_language"]


def request_language(request: Request) -> str:
    """``pl``, ``en`` or ``uk``: the ``lang`` query parameter when it names one, else the first supported language the
    browser asks for, else Polish (the first language of every process)."""
    wanted = request.query_params.get("lang")
    if wanted in LANGUAGES:
        return wanted
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGUAGES:
            return code
    return "pl"

"""No output gives away a municipality's figures below min_responses: every page (the index's, the survey's, the
organisation's), API, CSV, JSON, chart, map, summary e-mail and chat answer is searched for the one organisation's
answers, directly and by differencing.

Gamma has one response, (1, 2, 2); nobody else ever answers 1 or 2 (alfa and beta answer 4s and 5s). So its answers
would show as a mean below 4 for gamma or its dimensions, as a distribution naming a score of 1 or 2, or as a
region-wide item mean below 4 (the whole minus the published municipalities).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from matplotlib.image import imread
from sqlmodel import Session, select

from bot.config import Settings
from bot.console import ConsoleChannel
from bot.domain import Channel, OrganisationKind
from bot.exports import export_process
from bot.i18n import translator
from bot.scheduling.policy import SchedulePolicy
from bot.scheduling.publishing import send_summary
from bot.services import Services
from bot.services.eligibility import RosterRow
from bot.summaries import summary_chart
from bot.summaries.index_map import index_map
from bot.views.index import Place
from bot.web.app import create_web_app
from storage.models import OutboxMessage
from tests.index.helpers import run_edition

ANSWERS = {"alfa": [(5, 5, 5), (4, 4, 4), (5, 5, 5)], "beta": [(4, 4, 4)] * 3, "gamma": [(1, 2, 2)]}
NAMES = {"pl": "Gmina Gamma", "en": "Gamma", "uk": "Gamma"}
_DECIMAL = re.compile(r"\d+[.,]\d+")


def _low_numbers(text: str) -> list[str]:
    """Decimals in [1, 4) that are not the lower end of an interval (``3,23–`` or ``"ci95_low": 3.23``)."""
    found = []
    for match in _DECIMAL.finditer(text):
        value = float(match.group().replace(",", "."))
        after = text[match.end() : match.end() + 1]
        before = text[max(0, match.start() - 12) : match.start()]
        if 1 <= value < 4 and after != "–" and "ci95_low" not in before:
            found.append(match.group())
    return found


def _check_text(text: str, where: str) -> None:
    assert not _low_numbers(text), (where, _low_numbers(text))
    for name in NAMES.values():
        for line in text.splitlines():
            if name in line and "<" not in line:  # a text line naming gamma has no figure in it
                assert not re.search(r"\d[.,]\d", line), (where, line)
    for score in ("ocena 1:", "ocena 2:", "score 1:", "score 2:", "оцінка 1:", "оцінка 2:"):
        assert score not in text, (where, score)


def _check_json(value: Any, where: str) -> None:
    """Every number of a JSON document: no mean in [1, 4) (intervals' lower ends aside), no distribution of 1 or 2."""
    if isinstance(value, dict):
        if value.get("area") == "gamma" or value.get("district") == "gamma":
            figures = ("mean", "ci95_low", "ci95_high", "responses", "change", "rank", "pools", "ballots")
            assert value.get("published") is False, (where, value)
            assert all(value.get(key) is None for key in figures), (where, value)
        for key, inner in value.items():
            if key == "distribution":
                assert not {"1", "2"} & {str(score) for scores in inner.values() for score in scores}, (where, inner)
            if key not in ("ci95_low",):
                _check_json(inner, where)
    elif isinstance(value, list):
        for inner in value:
            _check_json(inner, where)
    elif isinstance(value, str) and _DECIMAL.fullmatch(value):
        assert not 1 <= float(value) < 4, (where, value)
    elif isinstance(value, float):
        assert not 1 <= value < 4, (where, value)


def test_no_output_exposes_a_municipality_below_min_responses(
    services: Services, session_factory: Callable[[], Session], console: Callable[..., ConsoleChannel]
) -> None:
    services.organisations.add("gamma", "Gmina Gamma", OrganisationKind.GMINA, lat=50.0, lon=20.0)
    slug = run_edition(services, 2027, ANSWERS)
    services.eligibility.import_roster(slug, [RosterRow(Channel.EMAIL, "ngo@example.org")])
    client = TestClient(create_web_app(services, Settings()))
    for language in ("pl", "en", "uk"):
        for path in (f"/indeks/test-index?lang={language}", f"/p/{slug}?lang={language}", f"/o/gamma?lang={language}"):
            response = client.get(path)
            assert response.status_code == 200, path
            _check_text(response.text, path)
        # a chat's /wyniki (Telegram, e-mail and the console answer with the same text)
        _check_text("\n".join(console("reader", language=language).handle(f"/wyniki {slug}")), f"/wyniki {language}")
        t = translator(language)
        info = services.processes.get(slug)
        _check_text(summary_chart(info, services.results.results(slug), t).caption, f"chart {language}")
        history = services.index.history("test-index")
        drawn = index_map(history.latest, t, {"gamma": Place("Gmina Gamma", 50.0, 20.0)})
        _check_text(drawn.caption, f"map caption {language}")
        # gamma alone on the map: no colour anywhere (its point is grey, so there is no colour bar either)
        pixels = imread(io.BytesIO(drawn.png))[..., :3]
        assert float(np.max(np.abs(pixels - pixels.mean(axis=2, keepdims=True)))) < 0.02, language
    for path in (f"/api/processes/{slug}/results", "/api/indexes/test-index", "/api/indexes/test-index/export.json"):
        response = client.get(path)
        assert response.status_code == 200, path
        _check_json(response.json(), path)
    exported = client.get("/api/indexes/test-index/export.csv").content.decode("utf-8-sig")
    for row in csv.DictReader(io.StringIO(exported), delimiter=";"):
        if row["area"] == "gamma":
            assert row["published"] == "0" and not any(row[c] for c in ("mean", "ci95_low", "ci95_high", "rank"))
            assert not row["responses"] and not row["change"]
    _check_text(client.get(f"/api/processes/{slug}/export.csv").content.decode("utf-8-sig"), "process csv")
    # a moderator's exports obey the same rule; a survey rating areas has no ballot-by-ballot export at all
    _check_json(json.loads(export_process(services, slug, "json").content), "moderator json")
    _check_text(export_process(services, slug, "csv").content.decode("utf-8-sig"), "moderator csv")
    assert client.get(f"/api/processes/{slug}/export.pb").status_code == 400
    # the published summary: Telegram chat (text and the map's caption) and the e-mail to the roster
    send_summary(services, slug, SchedulePolicy(chats=(-100,)))
    with session_factory() as session:
        queued = session.exec(select(OutboxMessage).where(OutboxMessage.key.startswith(f"summary:{slug}"))).all()
    assert {message.channel for message in queued} == {Channel.TELEGRAM, Channel.EMAIL}
    for message in queued:
        _check_text(message.payload.get("text", ""), message.key)
        assert "Gmina Gamma: za mało odpowiedzi" in message.payload["text"] or "chart" in message.key
    # the summary of an index edition is its ranking and its map (a mean of the dimensions, never a sum)
    chat = {message.key.rsplit(":", 1)[-1]: message.payload for message in queued if message.channel == "telegram"}
    assert "Indeks 2027 — ranking gmin (średnia ocen organizacji):\n1. Gmina Alfa — 4,67" in chat["1"]["text"]
    assert chat["chart"]["text"].startswith("Indeks 2027: mapa 3 gmin regionu;")
    assert chat["chart"]["document"]["filename"] == f"{slug}.png"

"""A consultation's draft as a page: each unit with its text and anchor, the published remarks counted per unit
(as the summary and the report count them), the notice (organiser, meetings), how to remark; the process page
links to it and shows the turnout by kind."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from bot.domain import Channel, ModerationStatus
from bot.services import Services


def test_the_draft_page_counts_published_remarks_per_unit_with_an_anchor_each(
    client: TestClient, services: Services, load_example: Callable[[str], str]
) -> None:
    slug = load_example("konsultacje-program-wspolpracy-2027")
    ania = services.people.identify(Channel.TELEGRAM, "500100").person_id
    admin = services.people.identify(Channel.CONSOLE, "moderator").person_id
    approved = services.opinions.submit(slug, ania, "Dopisać jawność.", Channel.TELEGRAM, section="§3")
    services.opinions.moderate(approved, ModerationStatus.APPROVED, actor_id=admin)
    services.opinions.submit(slug, ania, "Jeszcze nieprzejrzana.", Channel.TELEGRAM, section="§3")
    page = client.get(f"/p/{slug}/projekt?lang=pl")
    assert page.status_code == 200
    html = page.text
    assert '<section id="u-s3" class="unit" aria-labelledby="h-s3">' in html
    assert '<h2 id="h-s3">§3 — Zasady współpracy</h2>' in html
    assert "<p>Współpraca opiera się na zasadach pomocniczości" in html
    assert '<li><a href="#u-s3">§3</a> — 1 uwaga</li>' in html  # the unreviewed one is not counted
    assert '<li><a href="#u-s1">§1</a> — 0 uwag</li>' in html
    assert "uwaga do tej części: /opinia program-wspolpracy-2027 §3: treść" in html
    assert "Organizator: Burmistrz Miasta i Gminy Wieliczka<br>Spotkania konsultacyjne:<br>" in html
    assert "28.09.2027, 17:00 — Urząd Miasta i Gminy Wieliczka, sala obrad, Rynek Górny 1" in html
    assert "Jeszcze nieprzejrzana." not in html and "Dopisać jawność." not in html  # counts, never texts
    english = client.get(f"/p/{slug}/projekt?lang=en").text
    assert "a remark on this unit: /opinion program-wspolpracy-2027 §3: your text" in english
    assert f'href="/p/{slug}/projekt?lang=pl"' in client.get(f"/p/{slug}?lang=pl").text
    budget = load_example("bo-warszawa-2027")
    assert client.get(f"/p/{budget}/projekt").status_code == 404  # a budget has no draft


def test_the_process_page_shows_a_consultations_turnout_by_kind(
    client: TestClient, services: Services, load_example: Callable[[str], str]
) -> None:
    slug = load_example("konsultacje-program-wspolpracy-2027")
    ania = services.people.identify(Channel.TELEGRAM, "500100").person_id
    services.opinions.submit(slug, ania, "Uwaga.", Channel.TELEGRAM)
    services.processes.close(slug)
    services.processes.publish(slug)
    html = client.get(f"/p/{slug}?lang=pl").text
    assert "<caption>Udział według rodzaju uczestników</caption>" in html
    assert '<tr><td>mieszkańcy</td><td class="num">1</td></tr>' in html

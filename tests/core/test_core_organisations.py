"""Organisations as records: the service adds, finds and lists them and refuses what a person could get wrong;
``glos org add|list`` does the same from the command line, refusals as one translated sentence and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import delete, select
from typer.testing import CliRunner

from bot.cli import app
from bot.domain import OrganisationKind
from bot.errors import GlosError, InputError, NotFound
from bot.i18n import translator
from bot.services import Services
from bot.services.organisations import parse_kind
from storage.models import AuditEntry, Organisation

ROOT = Path(__file__).resolve().parents[2]
GMINA = OrganisationKind.GMINA


@pytest.fixture(autouse=True)
def no_organisations(services: Services) -> None:
    """These tests start from a store without the example organisations every test store has."""
    with services.context.transaction() as session:
        session.exec(delete(Organisation))


def test_added_organisations_are_found_and_listed_local_governments_first(services: Services) -> None:
    orgs = services.organisations
    orgs.add("federacja", "Federacja Organizacji Małopolskich", OrganisationKind.FEDERATION)
    orgs.add("krakow", "Gmina Miejska Kraków", OrganisationKind.MIASTO, teryt="1261011", lat=50.0614, lon=19.9366)
    orgs.add("wieliczka", "Gmina Wieliczka", GMINA, teryt="1219074", lat=49.9871, lon=20.0647)
    orgs.add("powiat-wielicki", "Powiat wielicki", OrganisationKind.POWIAT, teryt="1219")
    orgs.add("fundacja", "[Fundacja] Ład", OrganisationKind.NGO, parent="federacja")

    krakow = orgs.get("KRAKOW")
    assert (krakow.slug, krakow.name, krakow.kind, krakow.teryt) == (
        "krakow",
        "Gmina Miejska Kraków",
        OrganisationKind.MIASTO,
        "1261011",
    )
    assert (krakow.lat, krakow.lon) == (50.0614, 19.9366) and krakow.is_local_government
    assert orgs.get("fundacja").parent == "federacja" and not orgs.get("fundacja").is_local_government
    assert orgs.find("nie-ma") is None
    assert [info.slug for info in orgs.list()] == ["krakow", "powiat-wielicki", "wieliczka", "federacja", "fundacja"]
    assert [info.slug for info in orgs.list(GMINA)] == ["wieliczka"]
    assert [info.parent for info in orgs.list(OrganisationKind.NGO)] == ["federacja"]
    with services.context.transaction() as session:
        audited = session.exec(select(AuditEntry.details).where(AuditEntry.action == "organisation.add")).all()
    assert [entry["slug"] for entry in audited] == ["federacja", "krakow", "wieliczka", "powiat-wielicki", "fundacja"]


@pytest.mark.parametrize(
    ("slug", "name", "kind", "options", "key"),
    [
        ("Kraków", "Kraków", GMINA, {}, "organisation.bad_slug"),
        ("k", "K", GMINA, {}, "organisation.bad_slug"),
        ("a" * 41, "A", GMINA, {}, "organisation.bad_slug"),
        ("pusta", "  \n ", GMINA, {}, "organisation.bad_name"),
        ("dluga", "x" * 301, GMINA, {}, "organisation.bad_name"),
        ("gmina6", "G", GMINA, {"teryt": "121907"}, "organisation.bad_teryt"),
        ("gminax", "G", GMINA, {"teryt": "12190७4"}, "organisation.bad_teryt"),  # a Devanagari digit
        ("powiat7", "P", OrganisationKind.POWIAT, {"teryt": "1219074"}, "organisation.bad_teryt"),
        ("ngo", "N", OrganisationKind.NGO, {"teryt": "1219074"}, "organisation.teryt_not_for_kind"),
        ("pol", "P", GMINA, {"lat": 50.0}, "organisation.coordinates_pair"),
        ("poza", "P", GMINA, {"lat": 91.0, "lon": 20.0}, "organisation.bad_coordinates"),
        ("nan", "P", GMINA, {"lat": float("nan"), "lon": 20.0}, "organisation.bad_coordinates"),
        ("sierota", "S", OrganisationKind.NGO, {"parent": "nie-ma"}, "organisation.not_found"),
    ],
)
def test_what_a_person_could_get_wrong_is_refused_with_a_translated_reason(
    services: Services, slug: str, name: str, kind: OrganisationKind, options: dict[str, object], key: str
) -> None:
    with pytest.raises(GlosError) as refused:
        services.organisations.add(slug, name, kind, **options)  # type: ignore[arg-type]
    assert refused.value.key == key
    for language in ("pl", "en", "uk"):
        text = translator(language)(refused.value.key, **refused.value.params)
        assert text != key and "{" not in text
    assert services.organisations.list() == []


def test_a_slug_is_added_once_and_put_changes_only_what_differs(services: Services) -> None:
    orgs = services.organisations
    orgs.add("wieliczka", "Gmina Wieliczka", GMINA)
    with pytest.raises(InputError) as taken:
        orgs.add("wieliczka", "Inna", GMINA)
    assert taken.value.key == "organisation.exists"
    assert orgs.put("wieliczka", "Gmina Wieliczka", GMINA) == orgs.get("wieliczka")
    moved = orgs.put("wieliczka", "Gmina i Miasto Wieliczka", GMINA, teryt="1219074", lat=49.98, lon=20.06)
    assert (moved.name, moved.teryt, moved.lat) == ("Gmina i Miasto Wieliczka", "1219074", 49.98)
    with services.context.transaction() as session:
        updates = session.exec(select(AuditEntry.details).where(AuditEntry.action == "organisation.update")).all()
    assert updates == [{"slug": "wieliczka", "fields": ["lat", "lon", "name", "teryt"]}]
    with pytest.raises(NotFound):
        orgs.get("nie-ma")


def test_kinds_are_read_in_any_case_and_an_unknown_one_names_the_choices() -> None:
    assert parse_kind(" Miasto ") is OrganisationKind.MIASTO
    with pytest.raises(InputError) as refused:
        parse_kind("wojewodztwo")
    assert refused.value.params == {"kind": "wojewodztwo", "kinds": "gmina|miasto|powiat|ngo|federation"}


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> tuple[CliRunner, list[str], dict[str, str]]:
    config = tmp_path / "glos.toml"
    config.write_text(f'[bot]\nload_examples = false\n[storage]\nurl = "{database_url}"\n', encoding="utf-8")
    env = {"GLOS_BOT__SECRET_KEY": "cli-test-secret-0123456789abcdef", "COLUMNS": "200"}
    return CliRunner(), ["--config", str(config)], env


def test_glos_org_add_and_list(cli: tuple[CliRunner, list[str], dict[str, str]]) -> None:
    runner, config, env = cli

    def glos(*args: str) -> str:
        result = runner.invoke(app, [*config, *args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    assert glos("org", "list").strip() == translator("pl")("organisation.none")
    added = glos("org", "add", "krakow", "Gmina Miejska Kraków", "--kind", "miasto", "--teryt", "1261011",
                 "--lat", "50.0614", "--lon", "19.9366")  # fmt: skip
    assert added.strip() == "Dodano organizację krakow: Gmina Miejska Kraków."
    glos("org", "add", "federacja", "[bold]Federacja[/bold] Organizacji", "--kind", "federation")
    glos("org", "add", "fundacja", "Fundacja Ład", "--kind", "NGO", "--parent", "federacja")
    rows = [line.split() for line in glos("org", "list").splitlines() if line.strip()]
    assert rows[0] == ["nazwa", "pełna", "nazwa", "rodzaj", "TERYT", "położenie", "należy", "do"]
    assert rows[1] == ["krakow", "Gmina", "Miejska", "Kraków", "miasto", "1261011", "50.0614,", "19.9366"]
    assert rows[2] == ["federacja", "[bold]Federacja[/bold]", "Organizacji", "federacja", "organizacji"]
    assert rows[3] == ["fundacja", "Fundacja", "Ład", "organizacja", "pozarządowa", "federacja"]
    assert len(rows) == 4


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["krakow", "Kraków", "--kind", "wies"], "Nieznany rodzaj organizacji „wies”. Wybierz: gmina|miasto|"),
        (["krakow", "Kraków", "--kind", "miasto", "--teryt", "12"], "Kod TERYT „12” nie pasuje do rodzaju miasto"),
        (["krakow", "Kraków", "--kind", "miasto", "--lat", "50"], "Podaj obie współrzędne, --lat i --lon"),
    ],
)
def test_glos_org_add_refusals_are_one_sentence_and_exit_2(
    cli: tuple[CliRunner, list[str], dict[str, str]], args: list[str], sentence: str
) -> None:
    runner, config, env = cli
    result = runner.invoke(app, [*config, "org", "add", *args], env=env)
    assert result.exit_code == 2
    assert sentence in result.output and "Traceback" not in result.output
    assert runner.invoke(app, [*config, "org", "list"], env=env).output.strip() == translator("pl")("organisation.none")


def test_glos_org_import_grant_revoke_and_assign(cli: tuple[CliRunner, list[str], dict[str, str]]) -> None:
    runner, config, env = cli

    def glos(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, [*config, *args], env=env)
        assert result.exit_code == code, result.output
        return " ".join(result.output.split())

    organisations = ROOT / "examples" / "organisations" / "malopolska-i-miasta.toml"
    assert glos("org", "import", str(organisations)) == f"Wczytano organizacje z {organisations}: 13."
    assert glos("org", "import", str(organisations)) == f"Wczytano organizacje z {organisations}: 13."  # again: same
    listed = glos("org", "list")
    assert "wieliczka Gmina Wieliczka gmina 1219053 49.9871, 20.0647 powiat-wielicki" in listed
    assert listed.count("Gmina Wieliczka") == 1
    glos("process", "import", str(ROOT / "examples" / "uchwala-tak-nie.toml"))
    assert glos("org", "grant", "wieliczka", "123456") == "Moderator organizacji wieliczka: telegram:123456."
    assert glos("org", "grant", "nie-ma", "123456", code=2).startswith("Nie ma organizacji nie-ma.")
    assert glos("org", "revoke", "krakow", "123456") == "telegram:123456 nie jest moderatorem organizacji krakow."
    assert glos("org", "revoke", "wieliczka", "123456") == (
        "Odebrano rolę moderatora organizacji wieliczka: telegram:123456."
    )
    assert glos("org", "assign", "wieliczka", "walne-2027") == (
        "Proces walne-2027 prowadzi teraz organizacja wieliczka."
    )
    assert glos("org", "assign", "nie-ma", "walne-2027", code=2).startswith("Proces walne-2027, klucz organisation")
    exported = glos("audit", "export", "--format", "json")
    assert '"action": "process.organisation"' in exported and '"previous": "federacja-malopolska"' in exported
    assert '"action": "role.grant"' in exported and '"organisation": "wieliczka"' in exported

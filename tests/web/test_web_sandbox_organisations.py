"""The playground's sandbox takes a deployment's open process with the organisation that runs it (one the examples
do not have is copied from the deployment, read only), so the sandbox's copy refuses nothing the deployment allows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.app import build_app
from bot.clock import FakeClock
from bot.config import BotSettings, Settings, StorageSettings
from bot.definition import load_definition_file
from bot.domain import OrganisationKind
from bot.sandbox import build_sandbox

ROOT = Path(__file__).resolve().parents[2]


def test_the_sandbox_copies_the_organisation_of_a_deployment_process(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2027, 4, 13, 10, 0, tzinfo=UTC))  # inside the general meeting's vote
    settings = Settings(
        bot=BotSettings(examples_dir=str(ROOT / "examples")),
        storage=StorageSettings(url=f"sqlite:///{tmp_path / 'glos.db'}"),
    )
    deployment = build_app(settings, clock=clock, secret=b"d" * 32)
    try:
        orgs = deployment.services.organisations
        orgs.add("gdansk", "Gmina Miasta Gdańsk", OrganisationKind.MIASTO, teryt="2261011", lat=54.352, lon=18.6466)
        definition = load_definition_file(ROOT / "examples" / "uchwala-tak-nie.toml")
        deployment.services.processes.import_definition(
            definition.model_copy(update={"slug": "walne-gdansk", "organisation": "gdansk"})
        )
        deployment.services.processes.open("walne-gdansk")
        sandbox = build_sandbox(settings, deployment, clock=clock)
        try:
            assert sandbox.services.processes.get("walne-gdansk").organisation == "gdansk"
            copied = sandbox.services.organisations.get("gdansk")
            assert (copied.name, copied.kind, copied.teryt, copied.lat) == (
                "Gmina Miasta Gdańsk",
                OrganisationKind.MIASTO,
                "2261011",
                54.352,
            )
            assert [info.slug for info in sandbox.services.processes.of_organisation("gdansk")] == ["walne-gdansk"]
        finally:
            sandbox.close()
        assert deployment.services.organisations.get("gdansk") == orgs.get("gdansk")  # only read
    finally:
        deployment.close()

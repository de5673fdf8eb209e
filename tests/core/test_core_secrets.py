"""Secrets reach the bot from the environment, never from the example file or the source, never show in a
repr, and the secret key never enters the store."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from bot.config import Settings, load_settings
from bot.domain import Channel
from bot.services import Services

ROOT = Path(__file__).resolve().parents[2]
SECRET = b"test-secret-key-not-for-production"
TELEGRAM_TOKEN = re.compile(r"\b\d{6,12}:[A-Za-z0-9_-]{30,}\b")


def _secret_fields() -> list[tuple[str, str]]:
    found = []
    for section_name, section in Settings.model_fields.items():
        model = section.annotation
        for key, field in getattr(model, "model_fields", {}).items():
            if "SecretStr" in str(field.annotation):
                found.append((section_name, key))
    return found


def test_every_secret_comes_from_the_environment_and_is_hidden() -> None:
    fields = _secret_fields()
    assert {("telegram", "token"), ("mail", "imap_password"), ("bot", "secret_key")} <= set(fields)
    example = load_settings(ROOT / "config.example.toml", environ={})
    for section, key in fields:
        assert getattr(getattr(example, section), key) is None, f"config.example.toml sets {section}.{key}"
    environ = {
        f"GLOS_{section.upper()}__{key.upper()}": f"sekret-{section}-{key}-0123456789" for section, key in fields
    }
    settings = load_settings(ROOT / "config.example.toml", environ=environ)
    shown = " ".join([repr(settings), str(settings), settings.model_dump_json()])
    for section, key in fields:
        value = getattr(getattr(settings, section), key)
        assert (
            isinstance(value, SecretStr)
            and value.get_secret_value() == environ[f"GLOS_{section.upper()}__{key.upper()}"]
        )
        assert value.get_secret_value() not in shown


def test_no_token_or_password_is_written_in_the_sources() -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    offenders = []
    for name in files:
        if not name.endswith((".py", ".toml", ".md", ".po", ".j2", ".html", ".cfg", ".ini", ".yml", ".yaml")):
            continue
        content = (ROOT / name).read_text(encoding="utf-8", errors="replace")
        offenders += [f"{name}: {match}" for match in TELEGRAM_TOKEN.findall(content)]
    assert offenders == []


def test_the_secret_key_never_enters_the_store(
    services: Services, engine: Engine, load_example: Callable[..., str]
) -> None:
    slug = load_example("bo-warszawa-2027")
    ania = services.people.identify(Channel.TELEGRAM, "4242")
    services.eligibility.declare_district(slug, ania.person_id, "wesola")
    result = services.voting.cast(slug, ania.person_id, {"city": ["1"]}, Channel.TELEGRAM)
    codes = services.eligibility.issue_codes(slug, 2, batch="plakat")
    dump = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            dump += [str(row) for row in connection.execute(text(f'SELECT * FROM "{table}"'))]
    everything = "\n".join(dump)
    assert SECRET.decode() not in everything and SECRET.hex() not in everything
    assert result.receipt not in everything and result.receipt.replace("-", "") not in everything
    assert not [code for code in codes if code.replace("-", "") in everything]


def test_no_foreign_key_joins_a_ballot_to_a_person(engine: Engine) -> None:
    """Secret ballots: the ballot table refers only to its process, no table refers to a ballot, and no ballot
    column names a person, an identity, a participation or an address (read from the migrated store)."""
    schema = inspect(engine)
    outgoing = {fk["referred_table"] for fk in schema.get_foreign_keys("ballot")}
    assert outgoing == {"process"}
    incoming = [
        table
        for table in schema.get_table_names()
        for fk in schema.get_foreign_keys(table)
        if fk["referred_table"] == "ballot"
    ]
    assert incoming == []
    columns = {column["name"] for column in schema.get_columns("ballot")}
    suspicious = ("person", "identity", "participation", "voter", "address", "user", "telegram", "email", "eligib")
    assert not [name for name in columns if any(word in name for word in suspicious)], columns

"""The configuration: defaults, the example file, environment overrides, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, find_config_file, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_are_the_embedded_setup() -> None:
    settings = load_settings(None, environ={})
    assert settings.storage.url == "sqlite:///glos.db"
    assert settings.bot.timezone == "Europe/Warsaw"
    assert settings.bot.language == "pl"
    assert settings.telegram.api_url == "https://api.telegram.org"
    assert settings.telegram.token is None


def test_example_file_documents_every_key() -> None:
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    settings = load_settings(ROOT / "config.example.toml", environ={})
    for section_name, section in settings.model_dump().items():
        assert f"[{section_name}]" in text
        for key in section:
            assert f"\n{key} =" in text or f"\n# {key} =" in text, f"{section_name}.{key} is not documented"


def test_secrets_come_from_the_environment() -> None:
    settings = load_settings(
        ROOT / "config.example.toml",
        environ={"GLOS_TELEGRAM__TOKEN": "123:abc", "GLOS_BOT__ADMINS": "42, rada@ngo.pl", "OTHER": "x"},
    )
    assert settings.telegram.token is not None
    assert settings.telegram.token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(settings)
    assert settings.bot.admins == ["42", "rada@ngo.pl"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('[storage]\nurl = "mysql://x"\n', "storage.url"),
        ('[bot]\ntimezone = "Mars/Olympus"\n', "bot.timezone"),
        ('[bot]\nadmins = ["not an address"]\n', "bot.admins"),
        ("[web]\nport = 70000\n", "web.port"),
        ('[telegram]\nmode = "carrier-pigeon"\n', "telegram.mode"),
        ('[mail]\nimap_pasword = "typo"\n', "mail.imap_pasword: unknown key"),
        ("[bot\nname = 1\n", "not valid TOML"),
    ],
)
def test_a_bad_file_is_refused_naming_the_key(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "glos.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert expected in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_config_file_lookup_order(tmp_path: Path) -> None:
    assert find_config_file(None, tmp_path) is None
    (tmp_path / "config.example.toml").write_text("", encoding="utf-8")
    assert find_config_file(None, tmp_path) == tmp_path / "config.example.toml"
    (tmp_path / "glos.toml").write_text("", encoding="utf-8")
    assert find_config_file(None, tmp_path) == tmp_path / "glos.toml"
    assert find_config_file("x.toml", tmp_path) == Path("x.toml")

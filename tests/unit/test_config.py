"""Site configuration: where the file is found, precedence, locked keys, and the Settings dialog."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from console import config
from console.cli import main
from console.cli.common import database_url
from console.config import ConfigError, Source

SITE = """
database_url = "sqlite:////srv/site.db"
organisation = "ClientPay Europe"
phone_region = "DE"

[locked]
classification = "STRICTLY CONFIDENTIAL"
idle_lock_minutes = 5
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "site.toml"
    site.write_text(SITE, encoding="utf-8")
    return {"CONSOLE_CONFIG": str(site), "CONSOLE_SETTINGS_DIR": str(tmp_path / "user")}


def test_every_value_says_where_it_comes_from(env: dict[str, str]) -> None:
    cfg = config.load(env=env)
    sources = {e.key: e.source for e in cfg.explain()}
    assert sources == {
        "database_url": Source.SITE,
        "organisation": Source.SITE,
        "classification": Source.LOCKED,
        "classification_internal": Source.BUILT_IN,
        "classification_public": Source.BUILT_IN,
        "idle_lock_minutes": Source.LOCKED,
        "phone_region": Source.SITE,
        "backup_keep": Source.BUILT_IN,
        "one_time_password_hours": Source.BUILT_IN,
        "max_field_mb": Source.BUILT_IN,
        "max_row_mb": Source.BUILT_IN,
        "max_document_mb": Source.BUILT_IN,
    }
    assert cfg["idle_lock_minutes"] == 5 and cfg["backup_keep"] == 7
    assert env["CONSOLE_CONFIG"] in cfg.entries["organisation"].describe()


def test_precedence_is_locked_then_command_line_then_env_then_user_then_site(
    env: dict[str, str],
) -> None:
    config.save_user_settings({"organisation": "Mine", "phone_region": "FR"}, env=env)
    env = {**env, "CONSOLE_PHONE_REGION": "GB", "CONSOLE_CLASSIFICATION": "PUBLIC"}
    cfg = config.load({"organisation": "From the command line"}, env=env)
    assert cfg["organisation"] == "From the command line"  # command line beats the user setting
    assert cfg["phone_region"] == "GB"  # environment beats the user setting
    assert cfg["classification"] == "STRICTLY CONFIDENTIAL"  # locked beats the environment
    cfg = config.load(env={k: v for k, v in env.items() if k != "CONSOLE_PHONE_REGION"})
    assert (cfg["phone_region"], cfg.entries["phone_region"].source) == ("FR", Source.USER)


def test_a_locked_key_cannot_be_saved_in_user_settings(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="locked by the site configuration"):
        config.save_user_settings({"idle_lock_minutes": 60}, env=env)
    assert config.load(env=env)["idle_lock_minutes"] == 5


def test_a_locked_database_beats_db_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "locked.toml"
    site.write_text('[locked]\ndatabase_url = "sqlite:////srv/team.db"\n', encoding="utf-8")
    monkeypatch.setenv("CONSOLE_CONFIG", str(site))
    assert database_url(argparse.Namespace(db="sqlite:////tmp/mine.db")) == "sqlite:////srv/team.db"
    monkeypatch.setenv("CONSOLE_CONFIG", "")
    assert database_url(argparse.Namespace(db="sqlite:////tmp/mine.db")) == "sqlite:////tmp/mine.db"


def test_mistakes_in_the_site_file_name_the_file_and_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    for text, message in [
        ('organization = "typo"\n', "unknown setting 'organization'"),
        ('idle_lock_minutes = "ten"\n', "must be a whole number"),
        ("idle_lock_minutes = -1\n", "cannot be negative"),
        ("organisation = \n", "not valid TOML"),
    ]:
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=message) as exc:
            config.load(env={"CONSOLE_CONFIG": str(bad), "CONSOLE_SETTINGS_DIR": str(tmp_path)})
        assert str(bad) in str(exc.value)
    with pytest.raises(ConfigError, match="not a file"):
        config.load(env={"CONSOLE_CONFIG": str(tmp_path / "missing.toml")})


def test_without_any_file_the_built_in_defaults_apply(tmp_path: Path) -> None:
    cfg = config.load(env={"CONSOLE_CONFIG": "", "CONSOLE_SETTINGS_DIR": str(tmp_path)})
    assert {e.source for e in cfg.explain()} == {Source.BUILT_IN}
    assert cfg["database_url"].startswith("sqlite:///")


def test_config_show_prints_values_and_sources_without_the_password(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("CONSOLE_DB_URL", raising=False)
    url = "postgresql+psycopg://console:s3cret-pw@db.example.internal/privacy"
    assert main(["--db", url, "config", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["settings"]["classification"] == {
        "value": "STRICTLY CONFIDENTIAL",
        "source": "locked",
        "origin": env["CONSOLE_CONFIG"],
        "locked": True,
    }
    assert shown["settings"]["database_url"]["source"] == "command_line"
    assert "s3cret-pw" not in json.dumps(shown)


@pytest.mark.gui
def test_the_settings_dialog_shows_sources_and_keeps_locked_values_read_only(
    qtbot, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.ui.settings_dialog import SettingsDialog

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("CONSOLE_DB_URL", "CONSOLE_ORGANISATION", "CONSOLE_PHONE_REGION"):
        monkeypatch.delenv(key, raising=False)
    dlg = SettingsDialog()
    qtbot.addWidget(dlg)
    dlg.show()
    assert not dlg.editors["idle_lock_minutes"].isEnabled()
    assert "locked" in dlg.sources["classification"].text()
    assert dlg.editors["organisation"].isEnabled()
    dlg.editors["organisation"].setText("ClientPay Iberia")
    dlg.editors["idle_lock_minutes"].setValue(99)  # disabled in the UI; must not be saved anyway
    with qtbot.waitSignal(dlg.saved, timeout=2000) as saved:
        dlg.save()
    cfg = saved.args[0]
    assert (
        cfg["organisation"] == "ClientPay Iberia"
        and cfg.entries["organisation"].source == Source.USER
    )
    assert cfg["idle_lock_minutes"] == 5

"""Site configuration an admin presets (and may lock), layered with the user's own settings.

Precedence, highest first: a value the site file locks > command line / environment > the user's
setting > the site file's default > the built-in default. `load()` says where each value came from.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import platformdirs

from console.errors import ConsoleError
from console.paths import APP_AUTHOR, APP_DIR_NAME, default_database_url

CONFIG_FILE_NAME = "config.toml"
USER_SETTINGS_FILE_NAME = "settings.json"


class ConfigError(ConsoleError):
    """The site configuration or the user's settings file cannot be read or would be broken."""


class Source(StrEnum):
    LOCKED = "locked by the site configuration"
    COMMAND_LINE = "command line"
    ENVIRONMENT = "environment"
    USER = "your settings"
    SITE = "site configuration"
    BUILT_IN = "built-in default"


@dataclass(frozen=True)
class Key:
    name: str
    kind: type
    default: Callable[[], Any]
    env: str
    label: str
    help: str
    minimum: int = 0  # whole numbers: the smallest value that makes sense


def _at_least(value: Any, spec: Key) -> Any:
    if isinstance(value, int) and value < spec.minimum:
        raise ConfigError(
            f"'{spec.name}' cannot be negative."
            if spec.minimum == 0
            else f"'{spec.name}' must be at least {spec.minimum}."
        )
    return value


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key(
            "database_url",
            str,
            default_database_url,
            "CONSOLE_DB_URL",
            "Database",
            "SQLite file or PostgreSQL URL of the database",
        ),
        Key(
            "organisation",
            str,
            lambda: "ClientPay",
            "CONSOLE_ORGANISATION",
            "Organisation",
            "name printed on every report",
        ),
        Key(
            "classification",
            str,
            lambda: "Confidential — contains personal data",
            "CONSOLE_CLASSIFICATION",
            "Classification mark",
            "mark printed on every page of reports, packages and letters holding personal data",
        ),
        Key(
            "classification_internal",
            str,
            lambda: "Internal — not for publication",
            "CONSOLE_CLASSIFICATION_INTERNAL",
            "Internal mark",
            "mark printed on every page of internal reports (registers, metrics, audit trail)",
        ),
        Key(
            "classification_public",
            str,
            lambda: "Public",
            "CONSOLE_CLASSIFICATION_PUBLIC",
            "Public mark",
            "mark printed on every page of reports meant for publication (transparency report)",
        ),
        Key(
            "idle_lock_minutes",
            int,
            lambda: 15,
            "CONSOLE_IDLE_LOCK_MINUTES",
            "Idle lock (minutes)",
            "the window locks after this many idle minutes (0: never)",
        ),
        Key(
            "phone_region",
            str,
            lambda: "US",
            "CONSOLE_PHONE_REGION",
            "Default phone region",
            "ISO country code for phone numbers written without +country code",
        ),
        Key(
            "backup_keep",
            int,
            lambda: 7,
            "CONSOLE_BACKUP_KEEP",
            "Daily backups kept",
            "SQLite only: daily backups kept beside the database (0: no daily backup)",
        ),
        Key(
            "one_time_password_hours",
            int,
            lambda: 72,
            "CONSOLE_ONE_TIME_PASSWORD_HOURS",
            "One-time passwords valid (hours)",
            "a new account's or a reset one-time password stops working after this many hours",
        ),
        Key(
            "max_field_mb",
            int,
            lambda: 1,
            "CONSOLE_MAX_FIELD_MB",
            "Largest field read (MB)",
            "imports: a longer field rejects its row, and is never held in memory whole",
            minimum=1,
        ),
        Key(
            "max_row_mb",
            int,
            lambda: 16,
            "CONSOLE_MAX_ROW_MB",
            "Largest row read (MB)",
            "imports: a longer row (line) is rejected, and is never held in memory whole",
            minimum=1,
        ),
        Key(
            "max_document_mb",
            int,
            lambda: 100,
            "CONSOLE_MAX_DOCUMENT_MB",
            "Largest legal document (MB)",
            "a served document larger than this is refused, read no further than the limit",
            minimum=1,
        ),
    )
}

_MB = 1 << 20


def input_limits(cfg: Config | None = None) -> dict[str, int]:
    """The reading limits of imports (console.importers.open_table's keyword arguments)."""
    cfg = cfg or load()
    return {
        "max_field_chars": int(cfg["max_field_mb"]) * _MB,
        "max_row_chars": int(cfg["max_row_mb"]) * _MB,
    }


def max_document_bytes(cfg: Config | None = None) -> int:
    return int((cfg or load())["max_document_mb"]) * _MB


@dataclass(frozen=True)
class Effective:
    key: str
    value: Any
    source: Source
    origin: str  # the file or variable it came from ("" for built-in and command line)

    @property
    def locked(self) -> bool:
        return self.source is Source.LOCKED

    def describe(self) -> str:
        return f"{self.source.value} ({self.origin})" if self.origin else self.source.value


@dataclass(frozen=True)
class SiteFile:
    path: Path | None
    defaults: Mapping[str, Any]
    locked: Mapping[str, Any]


class Config:
    """Every key's effective value and where it came from."""

    def __init__(self, entries: Mapping[str, Effective], site: SiteFile, user_path: Path) -> None:
        self.entries = dict(entries)
        self.site = site
        self.user_path = user_path

    def __getitem__(self, key: str) -> Any:
        return self.entries[key].value

    def explain(self) -> list[Effective]:
        return [self.entries[k] for k in KEYS]

    def is_locked(self, key: str) -> bool:
        return self.entries[key].locked


# -- where the files are ---------------------------------------------------------------------


def system_config_path() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("PROGRAMDATA", r"C:\ProgramData")
        return Path(base) / "PrivacyConsole" / CONFIG_FILE_NAME
    if sys.platform == "darwin":
        return Path("/Library/Application Support/PrivacyConsole") / CONFIG_FILE_NAME
    return Path("/etc/privacy-console") / CONFIG_FILE_NAME


def beside_executable_path() -> Path:
    return Path(sys.executable).resolve().parent / CONFIG_FILE_NAME


def site_config_path(env: Mapping[str, str] | None = None) -> Path | None:
    """CONSOLE_CONFIG (empty: none), else the system-wide file, else one beside a packaged build."""
    env = os.environ if env is None else env
    if "CONSOLE_CONFIG" in env:
        named = env["CONSOLE_CONFIG"]
        if not named:
            return None
        path = Path(named)
        if not path.is_file():
            raise ConfigError(f"CONSOLE_CONFIG names {path}, which is not a file.")
        return path
    for path in (system_config_path(), beside_executable_path()):
        if path.is_file() and (path != beside_executable_path() or getattr(sys, "frozen", False)):
            return path
    return None


def user_settings_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    folder = env.get("CONSOLE_SETTINGS_DIR") or platformdirs.user_config_dir(
        APP_DIR_NAME, APP_AUTHOR
    )
    return Path(folder) / USER_SETTINGS_FILE_NAME


# -- reading and checking --------------------------------------------------------------------


def _check(key: str, value: Any, where: str) -> Any:
    spec = KEYS.get(key)
    if spec is None:
        known = ", ".join(KEYS)
        raise ConfigError(f"{where}: unknown setting '{key}' (known settings: {known}).")
    if (spec.kind is int and isinstance(value, bool)) or not isinstance(value, spec.kind):
        raise ConfigError(
            f"{where}: '{key}' must be {'a whole number' if spec.kind is int else 'text'}."
        )
    if isinstance(value, int) and value < spec.minimum:
        floor = "cannot be negative" if spec.minimum == 0 else f"must be at least {spec.minimum}"
        raise ConfigError(f"{where}: '{key}' {floor}.")
    return value


def read_site_file(path: Path | None) -> SiteFile:
    if path is None:
        return SiteFile(None, {}, {})
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"Cannot read the site configuration {path}: {exc.strerror}.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The site configuration {path} is not valid TOML: {exc}.") from None
    locked_raw = raw.pop("locked", {})
    if not isinstance(locked_raw, dict):
        raise ConfigError(f"{path}: [locked] must be a table of settings.")
    defaults = {k: _check(k, v, str(path)) for k, v in raw.items()}
    locked = {k: _check(k, v, f"{path} [locked]") for k, v in locked_raw.items()}
    return SiteFile(path, defaults, locked)


def read_user_settings(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"Your settings file {path} cannot be read ({exc}); fix or delete it."
        ) from None
    if not isinstance(raw, dict):
        raise ConfigError(f"Your settings file {path} is not a JSON object; fix or delete it.")
    return {k: _check(k, v, str(path)) for k, v in raw.items()}


def _from_env(spec: Key, env: Mapping[str, str]) -> Any:
    text = env.get(spec.env)
    if text is None or text == "":
        return None
    if spec.kind is int:
        try:
            return _at_least(int(text), spec)
        except ValueError:
            raise ConfigError(f"{spec.env} must be a whole number, not {text!r}.") from None
    return text


def load(cli: Mapping[str, Any] | None = None, *, env: Mapping[str, str] | None = None) -> Config:
    """The effective configuration. cli holds command-line values (None: not given)."""
    env = os.environ if env is None else env
    site = read_site_file(site_config_path(env))
    user_path = user_settings_path(env)
    user = read_user_settings(user_path)
    site_origin = str(site.path) if site.path else ""
    entries: dict[str, Effective] = {}
    for name, spec in KEYS.items():
        cli_value = (cli or {}).get(name)
        env_value = _from_env(spec, env)
        if name in site.locked:
            entry = Effective(name, site.locked[name], Source.LOCKED, site_origin)
        elif cli_value is not None:
            entry = Effective(name, cli_value, Source.COMMAND_LINE, "")
        elif env_value is not None:
            entry = Effective(name, env_value, Source.ENVIRONMENT, spec.env)
        elif name in user:
            entry = Effective(name, user[name], Source.USER, str(user_path))
        elif name in site.defaults:
            entry = Effective(name, site.defaults[name], Source.SITE, site_origin)
        else:
            entry = Effective(name, spec.default(), Source.BUILT_IN, "")
        entries[name] = entry
    return Config(entries, site, user_path)


def save_user_settings(changes: Mapping[str, Any], *, env: Mapping[str, str] | None = None) -> Path:
    """Store the user's own values (None removes one). A locked key is refused, naming the file."""
    env = os.environ if env is None else env
    site = read_site_file(site_config_path(env))
    path = user_settings_path(env)
    current = read_user_settings(path)
    for key, value in changes.items():
        if key in site.locked:
            raise ConfigError(f"'{key}' is locked by the site configuration ({site.path}).")
        if value is None:
            current.pop(key, None)
        else:
            current[key] = _check(key, value, "your settings")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path

"""The terminal client's settings: where its files live and what it remembers.

Files are where each platform keeps them (platformdirs; on Linux the XDG base
directories):

- ``$XDG_CONFIG_HOME/rapport/config.toml`` (``~/.config/rapport/``): the server URL, bearer
  tokens and the local profile's credentials, written ``0600`` in a ``0700`` directory
  because it holds tokens;
- ``$XDG_DATA_HOME/rapport/`` (``~/.local/share/rapport/``): the embedded database
  ``rapport.db``, the offline check-in queue ``pending.json`` and ``server.log``.

This module does no I/O at import time and knows nothing about screens.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Literal

import msgspec
import platformdirs
import tzlocal

APP_DIR = "rapport"


def config_home() -> Path:
    """Where config.toml lives: ``$XDG_CONFIG_HOME/rapport`` (``~/.config/rapport``) on
    Linux, the platform's own place on macOS and Windows (platformdirs)."""
    return Path(platformdirs.user_config_dir(APP_DIR, appauthor=False))


def data_home() -> Path:
    """Where the local database, queue and cache live: ``$XDG_DATA_HOME/rapport``
    (``~/.local/share/rapport``) on Linux, the platform's own place elsewhere."""
    return Path(platformdirs.user_data_dir(APP_DIR, appauthor=False))


def screenshot_dir(data_dir: Path) -> Path:
    """The user's Downloads folder (platformdirs) when it exists, else ``screenshots`` in
    ``data_dir``, made if missing."""
    downloads = Path(platformdirs.user_downloads_dir())
    if downloads.is_dir():
        return downloads
    folder = data_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def system_timezone() -> str:
    """This machine's IANA zone name (tzlocal: ``TZ``, ``/etc/localtime`` and the like on
    Linux, the system settings on macOS and Windows), else UTC."""
    try:
        tzlocal.reload_localzone()  # read it now: the machine may have moved since
        name = tzlocal.get_localzone_name()
    except Exception:  # tzlocal raises its own errors for unreadable set-ups
        return "UTC"
    return name or "UTC"


class LocalProfile(msgspec.Struct, kw_only=True):
    """The profile on the embedded server. Its password is generated, not typed: the
    database sits next to this file, so the password guards nothing and only lets the
    client log in again when its token expires."""

    handle: str
    password: str
    token: str | None = None


class Config(msgspec.Struct, kw_only=True):
    # None: run the service in-process on the local database.
    server: str | None = None
    token: str | None = None
    handle: str | None = None
    theme: str | None = None
    # How a reminder that rings while the client is open reaches you besides its toast:
    # "osc9" (a desktop notification in terminals that show OSC 9, with a bell), "bell", or
    # "off".
    reminder_alert: Literal["osc9", "bell", "off"] | None = None
    # Other keys for bindings, by id: {"go.team": "3,ctrl+e", "today.skip": "x"}
    # (docs/tui.md lists the ids).
    keys: dict[str, str] | None = None
    local: LocalProfile | None = None


class ConfigStore:
    """Reads and writes one ``config.toml``."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_home() / "config.toml"

    def load(self) -> Config:
        try:
            raw = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Config()
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            return Config()
        try:
            return msgspec.convert(raw, Config)
        except msgspec.ValidationError:
            return Config()

    def save(self, config: Config) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = to_toml(config)
        tmp = self.path.with_suffix(".tmp")
        # Create with 0600 from the start: the token is never readable by others, not even
        # for the moment between writing and chmod.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)


def _value(value: str | int) -> str:
    # A JSON string is a valid TOML basic string (same escapes, \uXXXX included).
    return json.dumps(value)


def to_toml(config: Config) -> str:
    lines = ["# Rapport terminal client. Holds tokens: keep it private (mode 0600)."]
    for name in ("server", "token", "handle", "theme", "reminder_alert"):
        value = getattr(config, name)
        if value is not None:
            lines.append(f"{name} = {_value(value)}")
    if config.keys:
        lines += ["", "[keys]"]
        lines += [f"{_value(name)} = {_value(keys)}" for name, keys in sorted(config.keys.items())]
    if config.local is not None:
        lines += ["", "[local]"]
        for name in ("handle", "password", "token"):
            value = getattr(config.local, name)
            if value is not None:
                lines.append(f"{name} = {_value(value)}")
    return "\n".join(lines) + "\n"

"""Reading settings from the environment, with errors a deployer can act on.

django-environ parses the values; this module checks them, because a mistyped variable
must stop start-up with a sentence that names the variable and what it expects — not a
traceback from deep inside Django an hour later.
"""

from __future__ import annotations

import secrets
import zoneinfo
from pathlib import Path
from urllib.parse import urlparse

import environ


class ConfigError(Exception):
    """A setting read from the environment is wrong; the message says which and how to fix it."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Config:
    def __init__(self, env_file: Path | None = None) -> None:
        self.env = environ.Env()
        if env_file is not None and env_file.is_file():
            environ.Env.read_env(str(env_file))

    def raw(self, name: str, default: str | None = None) -> str | None:
        return self.env.str(name, default=default)

    def string(self, name: str, default: str) -> str:
        return str(self.env.str(name, default=default)).strip()

    def boolean(self, name: str, default: bool) -> bool:
        value = self.env.str(name, default=None)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ConfigError(f"{name} must be true or false (1/0, yes/no, on/off), got {value!r}.")

    def integer(self, name: str, default: int, *, minimum: int | None = None) -> int:
        value = self.env.str(name, default=None)
        if value is None:
            return default
        try:
            number = int(value.strip())
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {value!r}.") from None
        if minimum is not None and number < minimum:
            raise ConfigError(f"{name} must be at least {minimum}, got {number}.")
        return number

    def listing(self, name: str, default: list[str]) -> list[str]:
        value = self.env.str(name, default=None)
        if value is None:
            return list(default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def time_zone(self, name: str, default: str) -> str:
        value = self.string(name, default)
        if value not in zoneinfo.available_timezones():
            raise ConfigError(
                f"{name} must be an IANA time zone such as 'Europe/Madrid' or 'Asia/Jakarta', got {value!r}."
            )
        return value

    def database(self, name: str, default: str) -> dict:
        value = self.string(name, default)
        scheme = urlparse(value).scheme
        allowed = ("sqlite", "postgres", "postgresql", "pgsql")
        if scheme not in allowed:
            raise ConfigError(
                f"{name} must be a database URL starting with sqlite:/// or postgres://, "
                f"got {value!r}. Example: postgres://civicloop:secret@127.0.0.1:5432/civicloop"
            )
        if scheme == "sqlite" and (urlparse(value).netloc or urlparse(value).path in ("", "/")):
            # django-environ would quietly fall back to an in-memory database: lost at every
            # restart and invisible to the task worker.
            raise ConfigError(
                f"{name} must give the SQLite file's path after three slashes, e.g. "
                f"sqlite:////srv/civicloop/civicloop.sqlite3 (absolute) or sqlite:///civicloop.sqlite3, got {value!r}."
            )
        try:
            parsed = self.env.db_url_config(value)
        except Exception as exc:  # django-environ raises several kinds; all mean "bad URL"
            raise ConfigError(f"{name} could not be read as a database URL: {exc}") from None
        if parsed["ENGINE"].endswith("postgresql") and not parsed.get("NAME"):
            raise ConfigError(f"{name} must name the database, e.g. postgres://user@host/civicloop.")
        return parsed

    def email_url(self, name: str, default: str) -> dict:
        value = self.string(name, default)
        scheme = urlparse(value).scheme
        allowed = ("smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "filemail", "memorymail", "dummymail")
        if scheme not in allowed:
            raise ConfigError(
                f"{name} must be an e-mail URL such as smtp://user:password@mail.example.org:587 "
                f"or consolemail://, got {value!r}."
            )
        return self.env.email_url_config(value)

    def cache(self, name: str, default: str) -> dict:
        value = self.string(name, default)
        scheme = urlparse(value).scheme
        allowed = ("filecache", "dbcache", "locmemcache", "dummycache", "redis", "rediss", "pymemcache")
        if scheme not in allowed:
            raise ConfigError(
                f"{name} must be a cache URL such as filecache:///var/cache/civicloop, "
                f"dbcache://civicloop_cache or redis://cache.example.org:6379/0, got {value!r}."
            )
        return self.env.cache_url_config(value)


def secret_key_from(var_dir: Path, configured: str | None) -> str:
    """Use SECRET_KEY if set; otherwise generate one once into var/ and reuse it.

    A key made afresh at every start would log everybody out and break password-reset
    links whenever the server restarts, so it is kept on disk (never in the repository).
    """
    if configured:
        if len(configured) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long; leave it unset to generate one.")
        return configured
    path = var_dir / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key

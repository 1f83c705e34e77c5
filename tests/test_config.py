"""Start-up configuration: wrong variables stop civicloop with a sentence, not a traceback.

Settings read the environment once, at import, so each case starts a fresh `civicloop`
process with an environment built from scratch (tests/processes.py).
"""

import re
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.processes import civicloop_env, run_civicloop

ROOT = Path(__file__).resolve().parent.parent

BAD_ENVIRONMENTS = [
    ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
    ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must be a database URL starting with sqlite:/// or postgres://"),
    ({"DATABASE_URL": "postgres://db.example.org"}, "DATABASE_URL must name the database"),
    ({"DATABASE_URL": "sqlite://civicloop.sqlite3"}, "DATABASE_URL must give the SQLite file's path"),
    ({"TIME_ZONE": "Mars/Base"}, "TIME_ZONE must be an IANA time zone"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32 characters long"),
    ({"OIDC_CLIENT_ID": "civicloop"}, "OpenID Connect is half-configured: set OIDC_SERVER_URL, OIDC_CLIENT_SECRET"),
    (
        {"OIDC_SERVER_URL": "accounts.example.org", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s"},
        "OIDC_SERVER_URL must be the provider's https:// address",
    ),
    ({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND must be 'database' or 'immediate', got 'celery'"),
    ({"ACCOUNT_EMAIL_VERIFICATION": "sometimes"}, "ACCOUNT_EMAIL_VERIFICATION must be mandatory, optional or none"),
    ({"EMAIL_URL": "ftp://x"}, "EMAIL_URL must be an e-mail URL"),
    ({"AXES_FAILURE_LIMIT": "five"}, "AXES_FAILURE_LIMIT must be a whole number, got 'five'"),
    ({"WORKER_HEARTBEAT_SECONDS": "0"}, "WORKER_HEARTBEAT_SECONDS must be at least 1, got 0"),
    ({"CSRF_TRUSTED_ORIGINS": "city.example.org"}, "CSRF_TRUSTED_ORIGINS entries must start with http:// or https://"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR or CRITICAL"),
]


@pytest.mark.parametrize(
    ("variables", "message"), BAD_ENVIRONMENTS, ids=[next(iter(variables)) for variables, _ in BAD_ENVIRONMENTS]
)
def test_config_wrong_variable_stops_startup_naming_it(tmp_path, variables, message):
    result = run_civicloop("check", env=civicloop_env(tmp_path, **variables))

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith(f"civicloop: configuration error: {message}")


def test_config_wrong_variable_in_env_file_stops_startup(tmp_path):
    (tmp_path / ".env").write_text("TIME_ZONE=Atlantis/Capital\n")

    result = run_civicloop("check", env=civicloop_env(tmp_path))

    assert result.returncode == 2
    assert "TIME_ZONE must be an IANA time zone" in result.stderr


def test_config_complete_production_environment_passes_check(tmp_path):
    env = civicloop_env(
        tmp_path,
        DEBUG="off",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="city.example.org",
        CSRF_TRUSTED_ORIGINS="https://city.example.org",
        TIME_ZONE="Asia/Jakarta",
        EMAIL_URL="smtp+tls://mailer:secret@mail.example.org:587",
        OIDC_SERVER_URL="https://accounts.example.org",
        OIDC_CLIENT_ID="civicloop",
        OIDC_CLIENT_SECRET="secret",
        HTTPS="yes",
        LOG_LEVEL="warning",
    )

    result = run_civicloop("check", env=env)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_secret_key_generated_once_into_var_dir_and_reused(tmp_path):
    env = civicloop_env(tmp_path)
    show = "from django.conf import settings; print(settings.SECRET_KEY)"

    first = run_civicloop("shell", "-c", show, env=env)
    second = run_civicloop("shell", "-c", show, env=env)

    key_file = tmp_path / "var" / "secret_key"
    key = key_file.read_text().strip()
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert first.stdout.split()[-1] == second.stdout.split()[-1] == key
    assert len(key) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_secret_key_from_environment_is_used_and_not_written(tmp_path):
    env = civicloop_env(tmp_path, SECRET_KEY="k" * 40)

    result = run_civicloop("shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)", env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "k" * 40
    assert not (tmp_path / "var" / "secret_key").exists()


def test_sqlite_database_runs_in_wal_mode_with_busy_timeout(tmp_path):
    """The embedded tier's web process and worker share one SQLite file: WAL and a busy timeout make that work."""
    pragmas = (
        "from django.db import connection; c = connection.cursor(); "
        "print(*[c.execute(f'PRAGMA {p}').fetchone()[0] for p in ('journal_mode', 'busy_timeout', 'synchronous')])"
    )

    result = run_civicloop("shell", "-c", pragmas, env=civicloop_env(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["wal", "20000", "1"]  # synchronous=1 is NORMAL
    assert (tmp_path / "var" / "civicloop.sqlite3").is_file()


@pytest.mark.django_db
def test_database_connection_configured_for_its_vendor():
    """The suite runs on SQLite and on PostgreSQL; each gets the settings its tier needs."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # The test database lives in memory (WAL does not apply there); the pragmas still run.
            cursor.execute("PRAGMA busy_timeout")
            busy_timeout = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous")
            assert (busy_timeout, cursor.fetchone()[0]) == (20000, 1)
            assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        else:
            assert connection.vendor == "postgresql"
            cursor.execute("SHOW server_version_num")
            assert int(cursor.fetchone()[0]) >= 150000
            assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def _variables_read_by_settings() -> set[str]:
    source = (ROOT / "src" / "civicloop" / "settings.py").read_text()
    read = set(re.findall(r"config\.\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
    read |= set(re.findall(r"os\.environ\.get\(\"([A-Z][A-Z0-9_]*)\"", source))
    return read


def test_env_example_documents_every_variable_settings_read():
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE))

    read = _variables_read_by_settings()

    assert "DATABASE_URL" in read
    assert sorted(read - documented) == [], "add these to .env.example"
    assert sorted(documented - read) == [], "settings.py no longer reads these; remove them from .env.example"

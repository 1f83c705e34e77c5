"""Start `civicloop` as a child process, the way an operator does.

Settings read the environment once, at import, so start-up behaviour (configuration
errors, the generated secret key, the SQLite pragmas, the worker, `serve`) is tested in a
fresh process with an environment built from scratch: nothing leaks in from the shell that
runs the tests (a DATABASE_URL, a .env file) and nothing leaks out.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

CIVICLOOP = [sys.executable, "-m", "civicloop"]
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


def civicloop_env(home: Path, **variables: str) -> dict[str, str]:
    """An environment for a civicloop process living in `home` (its .env, its var/)."""
    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    env.update(
        CIVICLOOP_HOME=str(home),
        CIVICLOOP_VAR_DIR=str(home / "var"),
        DJANGO_SETTINGS_MODULE="civicloop.settings",
        PYTHONUNBUFFERED="1",
    )
    env.update(variables)
    return env


def run_civicloop(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 — our own interpreter and module, fixed arguments
        [*CIVICLOOP, *args],
        env=env,
        cwd=env["CIVICLOOP_HOME"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def migrated_copy(template: Path, home: Path) -> Path:
    """Give `home` a copy of an already-migrated SQLite database (migrating takes seconds)."""
    (home / "var").mkdir(parents=True, exist_ok=True)
    shutil.copy(template / "var" / "civicloop.sqlite3", home / "var" / "civicloop.sqlite3")
    return home


def migrate(home: Path) -> Path:
    result = run_civicloop("migrate", "--noinput", "--skip-checks", "-v", "0", env=civicloop_env(home), timeout=120)
    assert result.returncode == 0, result.stderr
    return home


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

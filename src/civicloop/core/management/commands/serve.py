"""`civicloop serve`: the embedded tier in one command — web server and task worker together.

Runs gunicorn (civicloop.wsgi) and `civicloop worker` as two child processes and watches
them: Ctrl+C or SIGTERM stops both gracefully, and if either one dies the other is stopped
too, so the tier never runs half-alive (pages up, e-mail silently queued forever). Larger
tiers run gunicorn and `civicloop worker` separately, as many of each as needed.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from argparse import ArgumentTypeError
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.migrations.executor import MigrationExecutor
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend

# gunicorn's own default; a stop that takes longer than this is forced.
GRACEFUL_SECONDS = 30
_PR_SET_PDEATHSIG = 1


def _stop_with_parent() -> None:
    """In the child, before exec: on Linux, get SIGTERM if `serve` itself is killed (kill -9, OOM).

    Otherwise an orphaned gunicorn would keep the port and an orphaned worker keep running.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the children are only stopped by a clean exit
        pass


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ArgumentTypeError(f"must be a port number from 1 to 65535, got {value!r}")
    return int(value)


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ArgumentTypeError(f"must be a whole number of at least 1, got {value!r}")
    return int(value)


class Command(BaseCommand):
    help = "Serve civicloop: gunicorn web server plus one background task worker, until Ctrl+C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default: %(default)s).")
        parser.add_argument("--port", type=_port, default=8000, help="Port to listen on (default: %(default)s).")
        parser.add_argument(
            "--workers", type=_positive, default=2, help="Number of gunicorn web processes (default: %(default)s)."
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not start the background task worker.")

    def handle(self, *, host: str, port: int, workers: int, no_worker: bool, **options) -> None:
        self._check_ready()
        if not no_worker and not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            self.stdout.write("Tasks run inside each request (TASKS_BACKEND is not 'database'): no task worker needed.")
            no_worker = True
        self._check_port_free(host, port)
        self.children: dict[str, subprocess.Popen] = {}
        self.stopping = False

        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            # The children find the same settings, .env and var/ as this process.
            env = {**os.environ, "CIVICLOOP_HOME": str(settings.BASE_DIR)}
            for name, command in self._commands(host, port, workers, no_worker).items():
                # A process group of their own: a terminal's Ctrl+C reaches only this
                # process, which forwards it once (db_worker treats a second SIGINT as "kill").
                # preexec_fn is safe here: serve starts no threads.
                self.children[name] = subprocess.Popen(  # noqa: S603
                    command,
                    env=env,
                    process_group=0,
                    preexec_fn=_stop_with_parent,  # noqa: PLW1509
                )
            url_host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104
            if self._wait_listening(url_host, port):
                shown = f"[{url_host}]" if ":" in url_host else url_host
                also = " with a task worker" if not no_worker else ""
                self.stdout.write(
                    self.style.SUCCESS(f"civicloop is running at http://{shown}:{port}/{also} — press Ctrl+C to stop.")
                )
            exit_code = self._supervise()
        finally:
            for child in self.children.values():
                if child.poll() is None:
                    child.kill()
                child.wait()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if exit_code:
            sys.exit(exit_code)

    def _commands(self, host: str, port: int, workers: int, no_worker: bool) -> dict[str, list[str]]:
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        commands = {
            "web server": [
                sys.executable,
                *("-m", "gunicorn", "--bind", bind, "--workers", str(workers)),
                *("--graceful-timeout", str(GRACEFUL_SECONDS), "--access-logfile", "-"),
                # gunicorn 27's control socket defaults to one path per user; two servers on
                # one machine (a demo next to a test run) would fight over it.
                "--no-control-socket",
                "civicloop.wsgi:application",
            ],
        }
        if not no_worker:
            commands["task worker"] = [sys.executable, "-m", "civicloop", "worker", "--no-reload"]
        return commands

    def _on_signal(self, signum: int, _frame: object) -> None:
        # The first Ctrl+C asks the children to finish what they are doing; a second forces them.
        self._signal_children(signal.SIGKILL if self.stopping else signal.SIGTERM)

    def _signal_children(self, sig: int) -> None:
        self.stopping = True
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(sig)

    def _supervise(self) -> int:
        """Wait until every child has exited; the first one to exit on its own stops the others."""
        exit_code = 0
        deadline = None
        while True:
            exited = {name: child.returncode for name, child in self.children.items() if child.poll() is not None}
            if len(exited) == len(self.children):
                break
            if exited and not self.stopping:
                name, code = next(iter(exited.items()))
                self.stderr.write(f"civicloop: the {name} stopped (exit code {code}); stopping the rest.")
                exit_code = code or 1
                self._signal_children(signal.SIGTERM)
            if self.stopping and deadline is None:
                deadline = time.monotonic() + GRACEFUL_SECONDS + 5
            if deadline is not None and time.monotonic() > deadline:
                self._signal_children(signal.SIGKILL)
            time.sleep(0.1)
        if not self.stopping:  # every child exited at the same instant, unasked
            exit_code = next((code for code in exited.values() if code), 1)
        return exit_code

    def _check_ready(self) -> None:
        """Refuse to start on a database or static files that are not ready, saying what to run."""
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except OperationalError as exc:
            raise CommandError(f"Cannot reach the database set by DATABASE_URL: {exc}".strip()) from None
        finally:
            connection.close()  # the children open their own; do not hold a session while serving
        if pending:
            raise CommandError(
                f"The database has {len(pending)} unapplied migration(s). Run `civicloop migrate` first "
                "(`make run` does it for you)."
            )
        if isinstance(staticfiles_storage, ManifestFilesMixin):
            manifest = Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name
            if not manifest.is_file():
                raise CommandError(
                    f"Static files are not collected into {settings.STATIC_ROOT}. Run "
                    "`civicloop collectstatic --noinput` first (`make run` does it for you)."
                )

    def _check_port_free(self, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise CommandError(
                    f"Cannot listen on {host}:{port} ({exc.strerror}). Is another server running there? "
                    "Stop it, or choose another port with --port."
                ) from None

    def _wait_listening(self, host: str, port: int, timeout: float = 30) -> bool:
        web = self.children["web server"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and web.poll() is None:
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.1)
        return False

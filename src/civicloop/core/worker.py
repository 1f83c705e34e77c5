"""The task worker's heartbeat: how /healthz knows a worker is alive.

`civicloop worker` runs django-tasks-db's worker loop in the main thread and this heartbeat
in a second thread. The heartbeat stamps one WorkerHeartbeat row per worker every
CIVICLOOP_WORKER_HEARTBEAT_SECONDS, on its own database connection (Django connections are
per thread), so a long-running task does not stop the stamps and the stamps never share a
transaction with a task.

When a worker stops, its row is kept: `last_seen` then says when it was last alive, and
/healthz turns it stale after CIVICLOOP_WORKER_STALE_SECONDS. Rows of workers gone for more
than a week are pruned when a worker starts, so restarts do not pile rows up.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.module_loading import import_string

from civicloop.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

PRUNE_AFTER = dt.timedelta(days=7)


def heartbeat_beat(*, worker_id: str, started_at: dt.datetime, now: dt.datetime | None = None) -> WorkerHeartbeat:
    """Insert or refresh this worker's row."""
    heartbeat, _created = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen": now or timezone.now(),
        },
    )
    return heartbeat


def heartbeat_prune(*, now: dt.datetime | None = None) -> int:
    """Forget workers not seen for a week; returns how many rows went."""
    deleted, _by_model = WorkerHeartbeat.objects.filter(last_seen__lt=(now or timezone.now()) - PRUNE_AFTER).delete()
    return deleted


class Heartbeat:
    """A daemon thread that stamps the worker's row until stop() is called.

    start() beats once in the calling thread before the thread starts, so a worker that
    cannot reach its database fails at once instead of running without a heartbeat, and a
    short `--batch` run still leaves its row behind.
    """

    def __init__(self, *, worker_id: str, interval: float) -> None:
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = timezone.now()
        self.beats = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.loop, name=f"heartbeat-{worker_id[:8]}", daemon=True)

    def start(self) -> None:
        heartbeat_prune()
        heartbeat_beat(worker_id=self.worker_id, started_at=self.started_at)
        self.beats += 1
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def loop(self) -> None:
        """Beat every `interval` seconds until stopped; a failed beat is logged and retried."""
        try:
            while not self._stop.wait(self.interval):
                try:
                    heartbeat_beat(worker_id=self.worker_id, started_at=self.started_at)
                except Exception:
                    # The database may be restarting or (SQLite) busy past its timeout; the
                    # worker keeps going and the next beat tries again on a fresh connection.
                    logger.exception("Worker heartbeat failed; retrying in %ss", self.interval)
                    connections.close_all()
                else:
                    self.beats += 1
        finally:
            # Only this thread's connections: a connection left open would keep a
            # PostgreSQL session alive after the worker stops (and block DROP DATABASE).
            connections.close_all()


class Periodic:
    """A daemon thread that calls `action()` every `interval` seconds until stop() is called.

    For jobs that must happen on a clock, such as escalating overdue reports. Each run uses
    this thread's own database connection; a failed run is logged and the next one tries
    again. Several workers may run the same job: the jobs are written so that a second run
    finds nothing left to do (they re-check each row under a lock).
    """

    def __init__(self, *, name: str, interval: float, action: Callable[[], object]) -> None:
        self.name = name
        self.interval = interval
        self.action = action
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.loop, name=f"periodic-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def run_once(self) -> None:
        try:
            self.action()
        except Exception:
            logger.exception("Periodic job %s failed; it runs again in %ss", self.name, self.interval)
            connections.close_all()
        else:
            self.runs += 1

    def loop(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                self.run_once()
        finally:
            connections.close_all()


def periodic_jobs() -> list[Periodic]:
    """The jobs settings.CIVICLOOP_PERIODIC names (dotted path of a callable → interval in seconds)."""
    return [
        Periodic(name=path.rsplit(".", 1)[-1], interval=interval, action=import_string(path))
        for path, interval in settings.CIVICLOOP_PERIODIC.items()
    ]

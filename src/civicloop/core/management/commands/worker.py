"""`civicloop worker`: run background tasks, and say so through a heartbeat.

This is django-tasks-db's `db_worker` (same options: --queue-name, --interval, --batch,
--max-tasks, --worker-id, …) with the heartbeat thread of civicloop.core.worker running
for as long as the worker loop does.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from civicloop.core.worker import Heartbeat


class HeartbeatWorker(db_worker.Worker):
    def run(self) -> None:
        heartbeat = Heartbeat(worker_id=self.worker_id, interval=settings.CIVICLOOP_WORKER_HEARTBEAT_SECONDS)
        heartbeat.start()
        try:
            super().run()
        finally:
            # Also reached through SystemExit, which db_worker raises from its signal handler.
            heartbeat.stop()


class Command(db_worker.Command):
    help = "Run background tasks (e-mail, …) and report a heartbeat for /healthz. Stop with Ctrl+C."

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options,
    ) -> None:
        # Mirrors db_worker.Command.handle (django-tasks-db 0.13, pinned), building a
        # HeartbeatWorker instead of a Worker; keep the two in step when upgrading.
        self.configure_logging(verbosity)
        if reload and batch:
            db_worker.logger.warning("--reload and --batch cannot be used together; autoreload is off.")
            reload = False

        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")

        worker = HeartbeatWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()

"""`civicloop worker`: run background tasks, and say so through a heartbeat.

This is django-tasks-db's `db_worker`, unchanged (same options: --queue-name, --interval,
--batch, --max-tasks, --worker-id, …), with the heartbeat thread of civicloop.core.worker
running for as long as the worker loop does, and the periodic jobs of settings.CIVICLOOP_PERIODIC
(escalation of overdue reports) on their own threads.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from civicloop.core.worker import Heartbeat, periodic_jobs


class Command(db_worker.Command):
    help = "Run background tasks (e-mail, …) and report a heartbeat for /healthz. Stop with Ctrl+C."

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("reload") and not options.get("batch") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's watching parent runs no tasks; only its child beats.
            super().handle(*args, **options)
            return
        heartbeat = Heartbeat(worker_id=options["worker_id"], interval=settings.CIVICLOOP_WORKER_HEARTBEAT_SECONDS)
        heartbeat.start()
        jobs = [] if options.get("batch") else periodic_jobs()
        for job in jobs:
            job.start()
        try:
            super().handle(*args, **options)
        finally:
            for job in jobs:
                job.stop()
            # Also reached through SystemExit, which db_worker raises from its signal handler.
            heartbeat.stop()

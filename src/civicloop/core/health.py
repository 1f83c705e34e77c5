"""Health checks for /healthz: what a load balancer or an operator needs to know."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from civicloop.core.models import WorkerHeartbeat


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "unreachable" to the operator
        return {"ok": False, "detail": f"database unreachable: {exc.__class__.__name__}"}
    return {"ok": True, "vendor": connection.vendor}


def check_migrations() -> dict:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = [f"{migration.app_label}.{migration.name}" for migration, _backwards in pending]
        return {
            "ok": False,
            "detail": f"{len(names)} migration(s) not applied; run `civicloop migrate`",
            "pending": names[:20],
        }
    return {"ok": True}


def check_worker() -> dict:
    if settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend"):
        # Tasks run inside the request that enqueues them: there is no worker to watch.
        return {"ok": True, "detail": "tasks run immediately (TASKS_BACKEND=immediate); no worker needed"}
    try:
        latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    except DatabaseError as exc:  # e.g. the table does not exist yet: report it, do not crash /healthz
        return {"ok": False, "detail": f"cannot read worker heartbeats: {exc.__class__.__name__}"}
    if latest is None:
        return {"ok": False, "detail": "no task worker has ever reported; start one with `civicloop worker`"}
    age = latest.age(timezone.now())
    stale = settings.CIVICLOOP_WORKER_STALE_SECONDS
    if age > stale:
        return {
            "ok": False,
            "detail": f"last worker heartbeat {age:.0f}s ago (limit {stale}s); check that `civicloop worker` runs",
            "age_seconds": round(age, 1),
        }
    return {"ok": True, "age_seconds": round(age, 1)}


def run_checks() -> tuple[bool, dict]:
    checks = {"database": check_database()}
    if checks["database"]["ok"]:
        checks["migrations"] = check_migrations()
        checks["worker"] = check_worker()
    healthy = all(check["ok"] for check in checks.values())
    return healthy, checks

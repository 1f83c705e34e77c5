import datetime as dt

import pytest
from django.db import DatabaseError, OperationalError, connection
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from django.db.models import QuerySet
from django.test import RequestFactory
from django.utils import timezone

from civicloop.core import health
from civicloop.core.models import WorkerHeartbeat
from civicloop.core.views import healthz
from tests.factories import JurisdictionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _database_task_backend(settings):
    """Production's backend: tasks wait for a worker, so /healthz must watch its heartbeat."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_healthz_needs_no_worker_when_tasks_run_immediately(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == {
        "ok": True,
        "detail": "tasks run immediately (TASKS_BACKEND=immediate); no worker needed",
    }


def beat(seconds_ago: float) -> WorkerHeartbeat:
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id=f"w{seconds_ago}",
        hostname="host",
        pid=1,
        started_at=now - dt.timedelta(hours=1),
        last_seen=now - dt.timedelta(seconds=seconds_ago),
    )


def test_healthz_all_ok_with_a_fresh_worker(client):
    beat(3)

    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body["status"] == "ok"
    assert sorted(body["checks"]) == ["database", "migrations", "worker"]
    assert body["checks"]["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["checks"]["migrations"] == {"ok": True}
    assert body["checks"]["worker"]["ok"] is True
    assert 3 <= body["checks"]["worker"]["age_seconds"] < 30


def test_healthz_is_never_cached(client):
    beat(1)

    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_the_freshest_worker(client):
    beat(10_000)
    beat(2)

    response = client.get("/healthz")

    assert response.status_code == 200


def test_healthz_fails_naming_worker_when_heartbeat_is_stale(client, settings):
    settings.CIVICLOOP_WORKER_STALE_SECONDS = 120
    beat(600)

    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["migrations"] == {"ok": True}
    worker = body["checks"]["worker"]
    assert worker["ok"] is False
    assert 600 <= worker["age_seconds"] < 630
    assert worker["detail"] == (
        f"last worker heartbeat {worker['age_seconds']:.0f}s ago (limit 120s); check that `civicloop worker` runs"
    )


def test_healthz_fails_naming_worker_when_none_ever_reported(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {
        "ok": False,
        "detail": "no task worker has ever reported; start one with `civicloop worker`",
    }


def test_healthz_fails_naming_migrations_when_some_are_pending(client, monkeypatch):
    beat(1)
    pending = [(Migration("0099_future", "core"), False)]
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: pending)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {
            "database": {"ok": True, "vendor": connection.vendor},
            "migrations": {
                "ok": False,
                "detail": "1 migration(s) not applied; run `civicloop migrate`",
                "pending": ["core.0099_future"],
            },
            "worker": response.json()["checks"]["worker"],
        },
    }
    assert response.json()["checks"]["worker"]["ok"] is True


def test_healthz_lists_at_most_twenty_pending_migrations(monkeypatch):
    pending = [(Migration(f"{n:04}_step", "core"), False) for n in range(25)]
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: pending)

    check = health.check_migrations()

    assert check["detail"] == "25 migration(s) not applied; run `civicloop migrate`"
    assert len(check["pending"]) == 20


def test_healthz_reports_unreadable_heartbeats_instead_of_crashing(monkeypatch):
    def missing_table(self):
        raise DatabaseError("no such table: core_workerheartbeat")

    monkeypatch.setattr(QuerySet, "first", missing_table)

    check = health.check_worker()

    assert check == {"ok": False, "detail": "cannot read worker heartbeats: DatabaseError"}


def test_healthz_fails_naming_database_when_unreachable(monkeypatch):
    def unreachable():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)
    # Called directly: the jurisdiction middleware would need the database too.
    response = healthz(RequestFactory().get("/healthz"))

    assert response.status_code == 503
    assert response.content.decode() == (
        '{"status": "fail", "checks": {"database": {"ok": false, "detail": "database unreachable: OperationalError"}}}'
    )


def test_livez_answers_ok_without_touching_the_database(client, settings, django_assert_num_queries):
    JurisdictionFactory(domain="esperanza.example.org")
    settings.ALLOWED_HOSTS = ["no-such-jurisdiction.example.org"]

    with django_assert_num_queries(0):
        response = client.get("/livez", HTTP_HOST="no-such-jurisdiction.example.org")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {"status": "ok"}
    assert response.cookies == {}


def test_livez_answers_while_the_database_is_unreachable(client, monkeypatch):
    def unreachable():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)

    response = client.get("/livez")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_livez_refuses_post(client):
    response = client.post("/livez")

    assert response.status_code == 405

import datetime as dt
import json
import os
import socket
import time

import pytest
from django.utils import timezone

from civicloop.core.models import WorkerHeartbeat
from civicloop.core.worker import Heartbeat, heartbeat_beat, heartbeat_prune
from tests.processes import civicloop_env, migrate, migrated_copy, run_civicloop

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_heartbeat_beat_creates_then_refreshes_one_row():
    heartbeat_beat(worker_id="w1", started_at=T0, now=T0)
    heartbeat_beat(worker_id="w1", started_at=T0, now=T0 + dt.timedelta(seconds=10))

    row = WorkerHeartbeat.objects.get()
    assert (row.worker_id, row.pid, row.hostname) == ("w1", os.getpid(), socket.gethostname())
    assert (row.started_at, row.last_seen) == (T0, T0 + dt.timedelta(seconds=10))


@pytest.mark.django_db
def test_heartbeat_prune_forgets_only_workers_gone_a_week():
    now = T0 + dt.timedelta(days=30)
    heartbeat_beat(worker_id="gone", started_at=T0, now=now - dt.timedelta(days=8))
    heartbeat_beat(worker_id="resting", started_at=T0, now=now - dt.timedelta(days=6))

    assert heartbeat_prune(now=now) == 1
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["resting"]


@pytest.mark.django_db(transaction=True)
def test_heartbeat_thread_stamps_row_until_stopped():
    heartbeat = Heartbeat(worker_id="threaded", interval=0.2)
    heartbeat.start()  # the first beat happens here, before the thread runs
    first = WorkerHeartbeat.objects.get(worker_id="threaded").last_seen

    # Wait on the counter, not the database: the thread writes on its own connection.
    deadline = time.monotonic() + 10
    while heartbeat.beats < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    heartbeat.stop()

    assert heartbeat.beats >= 3
    assert not heartbeat._thread.is_alive()
    row = WorkerHeartbeat.objects.get(worker_id="threaded")
    assert row.started_at == heartbeat.started_at
    assert row.last_seen > first
    beats_when_stopped = heartbeat.beats
    time.sleep(0.4)
    assert heartbeat.beats == beats_when_stopped


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    return migrate(tmp_path_factory.mktemp("migrated"))


def _sql(home, query: str) -> list:
    code = (
        "import json; from django.db import connection; c = connection.cursor(); "
        f"c.execute({query!r}); print(json.dumps(c.fetchall(), default=str))"
    )
    result = run_civicloop("shell", "-c", code, env=civicloop_env(home))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_worker_command_runs_queued_email_and_reports_heartbeat(migrated, tmp_path):
    home = migrated_copy(migrated, tmp_path)
    mail_dir = tmp_path / "mail"
    env = civicloop_env(home, EMAIL_URL=f"filemail:///{mail_dir}", TASKS_BACKEND="database")
    enqueue = (
        "from civicloop.core.tasks import send_email; "
        "print(send_email.enqueue(subject='Pothole fixed', body='Thank you', to=['ana@example.org']).id)"
    )
    queued = run_civicloop("shell", "-c", enqueue, env=env)
    assert queued.returncode == 0, queued.stderr
    task_id = queued.stdout.strip().splitlines()[-1]
    before = timezone.now()

    worker = run_civicloop("worker", "--batch", "--no-startup-delay", "--worker-id", "batch-1", env=env, timeout=30)

    assert worker.returncode == 0, worker.stderr
    assert _sql(home, "SELECT id, status, worker_ids FROM django_tasks_database_dbtaskresult") == [
        [task_id.replace("-", ""), "SUCCESSFUL", '["batch-1"]']
    ]
    [message] = [path.read_text() for path in mail_dir.iterdir()]
    assert "Subject: Pothole fixed" in message
    assert "To: ana@example.org" in message
    [[worker_id, last_seen]] = _sql(home, "SELECT worker_id, last_seen FROM core_workerheartbeat")
    assert worker_id == "batch-1"
    assert dt.datetime.fromisoformat(last_seen).replace(tzinfo=dt.UTC) >= before - dt.timedelta(seconds=1)

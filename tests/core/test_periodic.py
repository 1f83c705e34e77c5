"""The worker's periodic jobs: a thread that runs an action on a clock, survives failures and stops."""

import logging
import threading
import time

from civicloop.core.worker import Periodic, periodic_jobs
from civicloop.reports.services.escalation import report_escalate_overdue
from civicloop.reports.services.performance import performance_rollup_refresh

CALLS: list[str] = []


def sample_job() -> None:
    """A job for settings.CIVICLOOP_PERIODIC to name."""
    CALLS.append("ran")


def _wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_periodic_runs_its_action_repeatedly_until_stopped():
    calls = []
    job = Periodic(name="count", interval=0.01, action=lambda: calls.append(threading.current_thread().name))

    job.start()
    _wait_for(lambda: job.runs >= 3)
    job.stop()

    assert job.runs >= 3
    assert not job._thread.is_alive()
    assert set(calls) == {"periodic-count"}
    stopped_at = job.runs
    time.sleep(0.1)
    assert (job.runs, len(calls)) == (stopped_at, stopped_at)


def test_periodic_waits_one_interval_before_the_first_run():
    calls = []
    job = Periodic(name="slow", interval=30, action=lambda: calls.append(1))

    job.start()
    time.sleep(0.1)
    job.stop()

    assert (calls, job.runs, job._thread.is_alive()) == ([], 0, False)


def test_periodic_survives_a_failing_run_and_logs_it(caplog):
    attempts = []

    def flaky() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database restarting")

    job = Periodic(name="flaky", interval=0.01, action=flaky)

    with caplog.at_level(logging.ERROR, logger="civicloop.core.worker"):
        job.start()
        _wait_for(lambda: job.runs >= 2)
        job.stop()

    assert job.runs >= 2
    assert len(attempts) == job.runs + 1
    [record] = [r for r in caplog.records if r.name == "civicloop.core.worker"]
    assert record.getMessage() == "Periodic job flaky failed; it runs again in 0.01s"
    assert str(record.exc_info[1]) == "database restarting"


def test_periodic_run_once_counts_only_successful_runs(caplog):
    def broken() -> None:
        raise ValueError("no")

    job = Periodic(name="broken", interval=5, action=broken)

    with caplog.at_level(logging.ERROR, logger="civicloop.core.worker"):
        job.run_once()
        job.run_once()

    assert job.runs == 0
    assert [r.getMessage() for r in caplog.records] == ["Periodic job broken failed; it runs again in 5s"] * 2


def test_periodic_jobs_are_built_from_settings(settings):
    settings.CIVICLOOP_PERIODIC = {"tests.core.test_periodic.sample_job": 30, "time.monotonic": 2}

    jobs = periodic_jobs()

    assert [(job.name, job.interval, job.action, job.runs) for job in jobs] == [
        ("sample_job", 30, sample_job, 0),
        ("monotonic", 2, time.monotonic, 0),
    ]
    CALLS.clear()
    jobs[0].run_once()
    assert (CALLS, jobs[0].runs) == (["ran"], 1)


def test_periodic_jobs_by_default_escalate_overdue_reports_and_roll_up_performance(settings):
    assert [(job.name, job.interval, job.action) for job in periodic_jobs()] == [
        ("report_escalate_overdue", settings.CIVICLOOP_ESCALATION_INTERVAL_SECONDS, report_escalate_overdue),
        ("performance_rollup_refresh", 60, performance_rollup_refresh),
    ]


def test_periodic_jobs_empty_setting_means_no_jobs(settings):
    settings.CIVICLOOP_PERIODIC = {}

    assert periodic_jobs() == []

"""Background tasks of the reports app: thin wrappers the task worker runs.

Working out who hears about a change (the reporter, subscribers of the report, its areas and
its category) reads several tables; it runs in the worker, not in the request that made the
change, so filing or updating a report answers as soon as it is saved.
"""

from __future__ import annotations

from django_tasks import task

from civicloop.reports import notifications


@task()
def update_notify_task(*, update_id: int) -> None:
    notifications.update_notify(update_id=update_id)


@task()
def report_new_notify_task(*, report_id: int) -> None:
    notifications.report_new_notify(report_id=report_id)

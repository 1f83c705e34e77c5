"""Pre-aggregated figures of the public performance page (see docs/decisions/0014-performance-rollups.md).

Kept by the worker (`civicloop.reports.services.performance`), read by
`civicloop.reports.selectors.performance`. Nothing here is personal: counts and durations per
day (or month) of submission, owning agency and category.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicloop.reports.models.intake import Report


class PerformanceRollupState(models.Model):
    """How far the rollups of one jurisdiction go: reports changed at or after `watermark` (less
    a margin for transactions still open then) are not in them yet. Rollups made in another time
    zone than the jurisdiction's are not used (its days would be other days)."""

    jurisdiction = models.OneToOneField(
        "core.Jurisdiction", on_delete=models.CASCADE, related_name="performance_rollup_state"
    )
    time_zone = models.CharField(_("time zone"), max_length=64)
    watermark = models.DateTimeField(_("reports changed before this are rolled up"))

    class Meta:
        verbose_name = _("performance rollup state")
        verbose_name_plural = _("performance rollup states")

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.watermark.isoformat()}"


class PerformanceRollupDay(models.Model):
    """One day of submission (jurisdiction's time zone) whose rollup rows are up to date as of
    computed_at. stale_at: the earliest acknowledgement due time, after computed_at, of a report
    of that day not yet acknowledged; from then on "acknowledged or due" of the day has changed."""

    jurisdiction = models.ForeignKey("core.Jurisdiction", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    computed_at = models.DateTimeField(_("computed at"))
    stale_at = models.DateTimeField(_("stale at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "day"], name="performance_rollup_day_unique"),
        ]
        verbose_name = _("performance rollup day")
        verbose_name_plural = _("performance rollup days")

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.day.isoformat()}"


class PerformanceRollup(models.Model):
    """The figures of the received reports of one day (or calendar month) of submission and one
    owner (None: the triage queue). category None: all the owner's reports (the agency total,
    confidential reports and sensitive categories included); a category: that category's reports
    except confidential ones (whether a category is sensitive is decided when the page is read).

    Durations (microseconds from submission) are `civicloop.reports.stats.Distribution` JSON;
    ack_pending: the acknowledgement due times (microseconds since the epoch) of the reports
    neither acknowledged nor due when rolled up (they join ack_judged when the time comes)."""

    class Grain(models.TextChoices):
        DAY = "day", _("day")
        MONTH = "month", _("month")

    jurisdiction = models.ForeignKey("core.Jurisdiction", on_delete=models.CASCADE, related_name="+")
    grain = models.CharField(_("grain"), max_length=5, choices=Grain.choices)
    day = models.DateField(_("day, or first day of the month"))
    owner = models.ForeignKey("core.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    category = models.ForeignKey("reports.Category", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    received = models.PositiveIntegerField(default=0)
    ack_judged = models.PositiveIntegerField(default=0)
    ack_on_time = models.PositiveIntegerField(default=0)
    fixed = models.PositiveIntegerField(default=0)
    closed_without_fix = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    transferred = models.PositiveIntegerField(default=0)
    rating_n = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveBigIntegerField(default=0)
    rating_sum_of_squares = models.PositiveBigIntegerField(default=0)
    to_acknowledge = models.JSONField(default=dict)
    to_fix = models.JSONField(default=dict)
    ack_pending = models.JSONField(default=list)

    class Meta:
        indexes = [
            models.Index(fields=["jurisdiction", "grain", "day"], name="perf_rollup_grain_day_idx"),
        ]
        verbose_name = _("performance rollup")
        verbose_name_plural = _("performance rollups")

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.grain} {self.day.isoformat()} {self.owner_id} {self.category_id}"


@receiver(post_delete, sender=Report, dispatch_uid="civicloop_performance_report_deleted")
def _report_deleted(sender: Any, instance: Report, **kwargs: Any) -> None:
    """A deleted report leaves no changed row behind: forget its day's rollup, so the page counts
    that day live until the worker rolls it up again."""
    if instance.submitted_at is None:
        return
    day = timezone.localtime(instance.submitted_at, instance.jurisdiction.tzinfo).date()
    PerformanceRollupDay.objects.filter(jurisdiction_id=instance.jurisdiction_id, day=day).delete()

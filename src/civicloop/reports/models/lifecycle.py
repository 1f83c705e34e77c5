"""A report's life after intake: its public timeline, photos, subscribers, feedback, templates."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicloop.core.enums import Channel
from civicloop.core.models import Agency, Area, Jurisdiction
from civicloop.reports.enums import ReportStatus, UpdateKind
from civicloop.reports.models.intake import Category, Report

RATING_MIN = 1
RATING_MAX = 5


class ReportUpdate(models.Model):
    """One entry on a report's timeline, written by a life-cycle service in the same transaction
    as the change it records.

    Public entries (`is_internal` False) are what the public page, the Atom feeds and Open311
    `servicerequestupdates` show: the acting agency's name, the status after the change and
    `text`. `by` (the person) is for staff and the audit trail only, never shown publicly:
    front-line staff act in the agency's name.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("kind"), max_length=20, choices=UpdateKind.choices)
    status = models.CharField(
        _("status after"), max_length=30, choices=ReportStatus.choices, help_text=_("The report's status after it.")
    )
    text = models.TextField(_("text"), blank=True, max_length=5000)
    is_internal = models.BooleanField(_("internal"), default=False, help_text=_("Internal entries are never public."))
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
        help_text=_("The agency that acted; empty for the reporter, the supervisor's triage or the system."),
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["report", "created_at"], name="report_update_timeline_idx")]
        verbose_name = _("report update")
        verbose_name_plural = _("report updates")

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class ReportPhoto(models.Model):
    """A photo of the problem, stored only after it was checked and re-encoded (EXIF dropped).

    Served through a view that applies the report's privacy, never straight from MEDIA_ROOT.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    update = models.ForeignKey(ReportUpdate, on_delete=models.SET_NULL, null=True, blank=True, related_name="photos")
    image = models.ImageField(_("image"), upload_to="reports/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(_("bytes"), default=0)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Staff may hide a photo that shows a face or a number plate.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"photo {self.pk} of {self.report_id}"


class Subscription(models.Model):
    """Someone who wants e-mail about one report, an area or a category.

    Exactly one target is set. A subscription made without signing in waits for its e-mail
    address to be confirmed (`confirmed_at`) before anything is sent. A "me too" on a report
    is a subscription with `is_supporter` set (and the report's supporter_count raised).
    """

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField(_("e-mail"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    report = models.ForeignKey(Report, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions")
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    is_supporter = models.BooleanField(_("me too"), default=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(report__isnull=False, area__isnull=True, category__isnull=True)
                    | Q(report__isnull=True, area__isnull=False, category__isnull=True)
                    | Q(report__isnull=True, area__isnull=True, category__isnull=False)
                ),
                name="subscription_one_target",
            ),
            models.UniqueConstraint(
                fields=["email", "report"], condition=Q(report__isnull=False), name="subscription_unique_report"
            ),
            models.UniqueConstraint(
                fields=["email", "area"], condition=Q(area__isnull=False), name="subscription_unique_area"
            ),
            models.UniqueConstraint(
                fields=["email", "category"], condition=Q(category__isnull=False), name="subscription_unique_category"
            ),
        ]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"subscription {self.pk}"


class ReportFeedback(models.Model):
    """The reporter's answer to "was it fixed?" and "how satisfied are you with the response?".

    Personal in the sense that the comment is the reporter's own words: staff see it, the public
    sees only aggregates (satisfaction mean, n and confidence interval per agency).
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="feedback")
    status_when_asked = models.CharField(max_length=30, choices=ReportStatus.choices)
    fixed = models.BooleanField(_("was it fixed?"))
    rating = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)],
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="report_feedback_rating_range",
            )
        ]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"feedback on {self.report_id}"


class ResponseTemplate(models.Model):
    """A canned answer staff pick when they change a report's status, per state and language.

    Jurisdiction-wide when `agency` is empty, else one agency's own.
    """

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="response_templates")
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="response_templates"
    )
    title = models.CharField(_("title"), max_length=100)
    status = models.CharField(
        _("for status"), max_length=30, choices=ReportStatus.choices, blank=True, help_text=_("Empty: any status.")
    )
    language = models.CharField(_("language"), max_length=10)
    text = models.TextField(_("text"), max_length=5000)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")

    def __str__(self) -> str:
        return self.title

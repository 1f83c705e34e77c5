from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PrivacyClass(models.TextChoices):
    """Sensitive categories (abuse by officials, harassment) never appear on the public map or lists."""

    NORMAL = "normal", _("Normal")
    SENSITIVE = "sensitive", _("Sensitive")


class TargetUnit(models.TextChoices):
    """Service-level targets count working time on the jurisdiction's calendar."""

    HOURS = "hours", pgettext_lazy("time unit", "working hours")
    DAYS = "days", pgettext_lazy("time unit", "working days")


class ServiceType(models.TextChoices):
    """Open311 GeoReport v2 service type: what a client gets back when it posts a request."""

    REALTIME = "realtime", _("Realtime (request id returned at once)")
    BATCH = "batch", _("Batch (a token returned, the id later)")
    BLACKBOX = "blackbox", _("Blackbox (no id returned)")


class AttributeDatatype(models.TextChoices):
    """Open311 attribute datatypes."""

    STRING = "string", _("Short text (one line)")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLEVALUELIST = "singlevaluelist", _("Choose one")
    MULTIVALUELIST = "multivaluelist", _("Choose several")


LIST_DATATYPES = frozenset({AttributeDatatype.SINGLEVALUELIST, AttributeDatatype.MULTIVALUELIST})


class ReportKind(models.TextChoices):
    """What the reporter is telling government (LAPOR!'s "aspiration" is a suggestion)."""

    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    INFORMATION_REQUEST = "information_request", _("Information request")
    COMPLIMENT = "compliment", _("Compliment")


class ReportStatus(models.TextChoices):
    """Where a report is in its life. Reports start as submitted, or unverified when the reporter
    is not signed in and has not yet confirmed an e-mail address or phone number."""

    UNVERIFIED = "unverified", _("Unverified")
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    ACTION_SCHEDULED = "action_scheduled", _("Action scheduled")
    FIXED = "fixed", _("Fixed")
    CLOSED_WITHOUT_FIX = "closed_without_fix", _("Closed without fix")
    DUPLICATE = "duplicate", _("Duplicate")


class ReporterVisibility(models.TextChoices):
    """Who may see the report and who made it.

    - public: the report is public and the reporter's name is shown with it.
    - anonymous: the report is public, and the reporter's identity is hidden from everyone,
      agency staff included.
    - confidential: the report is hidden from the public entirely (for reports that could put
      the reporter at risk); only the staff handling it see it.
    """

    PUBLIC = "public", _("Public (my name is shown)")
    ANONYMOUS = "anonymous", _("Anonymous (report public, my identity hidden from everyone)")
    CONFIDENTIAL = "confidential", _("Confidential (report hidden from the public)")

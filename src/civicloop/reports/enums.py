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


#: A report in one of these is still being worked on; its due times still count.
OPEN_STATUSES = frozenset(
    {
        ReportStatus.SUBMITTED,
        ReportStatus.ACKNOWLEDGED,
        ReportStatus.IN_PROGRESS,
        ReportStatus.ACTION_SCHEDULED,
    }
)
#: Closed states. "Closed without fix" is never counted as fixed anywhere.
CLOSED_STATUSES = frozenset({ReportStatus.FIXED, ReportStatus.CLOSED_WITHOUT_FIX, ReportStatus.DUPLICATE})
#: The states a reporter may reopen from ("not fixed") within the reopen window.
REOPENABLE_STATUSES = frozenset({ReportStatus.FIXED, ReportStatus.CLOSED_WITHOUT_FIX})


class CloseReason(models.TextChoices):
    """Why a report was closed without a fix; an explanation in words is required as well."""

    NOT_POSSIBLE = "not_possible", _("Not possible to fix")
    NO_FURTHER_ACTION = "no_further_action", _("No further action")


class UpdateKind(models.TextChoices):
    """What one entry on a report's timeline records."""

    SUBMITTED = "submitted", _("Submitted")
    CONFIRMED = "confirmed", _("Reporter confirmed")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    STATUS = "status", _("Status changed")
    FIXED = "fixed", _("Fixed")
    CLOSED = "closed", _("Closed without fix")
    DUPLICATE = "duplicate", _("Marked as duplicate")
    MERGED = "merged", _("Duplicate merged in")
    REOPENED = "reopened", _("Reopened")
    TRANSFERRED = "transferred", _("Transferred")
    ESCALATED = "escalated", _("Escalated")
    ASSIGNED = "assigned", _("Assigned")
    COMMENT = "comment", _("Message")
    NOTE = "note", _("Internal note")
    FEEDBACK = "feedback", _("Reporter feedback")
    SUPPORTED = "supported", _("Someone else has this problem too")


class EscalationLevel(models.IntegerChoices):
    """How far an overdue report has climbed: first the agency's manager, then the supervisor."""

    NONE = 0, _("Not escalated")
    MANAGER = 1, _("Agency manager")
    SUPERVISOR = 2, _("Supervisor")

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

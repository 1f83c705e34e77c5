from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a change reached civicloop; every audit event records one."""

    WEB = "web", _("Web")
    API = "api", _("API")
    SMS = "sms", _("SMS")
    COUNTER = "counter", _("Counter")
    SYSTEM = "system", _("System")


class AgencyKind(models.TextChoices):
    GOVERNMENT = "government", _("Government body")
    CONTRACTOR = "contractor", _("Contracted provider")
    NONPROFIT = "nonprofit", _("Non-profit provider")

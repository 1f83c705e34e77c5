from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person may do. Every signed-in person is a citizen; the rest are granted.

    agency_staff and agency_manager are scoped to one agency; supervisor, monitor and
    administrator to a whole jurisdiction.
    """

    AGENCY_STAFF = "agency_staff", _("Agency staff")
    AGENCY_MANAGER = "agency_manager", _("Agency manager")
    SUPERVISOR = "supervisor", _("Supervisor")
    MONITOR = "monitor", _("Monitor")
    ADMINISTRATOR = "administrator", _("Administrator")


AGENCY_ROLES = frozenset({Role.AGENCY_STAFF, Role.AGENCY_MANAGER})

"""People, the roles they hold, and the API tokens they use."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicloop.accounts.enums import AGENCY_ROLES, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person. Signs in by e-mail; the display name is optional (citizens may stay anonymous)."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("preferred language"), max_length=10, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name or self.email.split("@")[0]


class RoleAssignment(models.Model):
    """A role a person holds: in one agency (staff, manager) or a whole jurisdiction."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    jurisdiction = models.ForeignKey("core.Jurisdiction", on_delete=models.CASCADE, related_name="role_assignments")
    agency = models.ForeignKey(
        "core.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="role_assignments"
    )
    organisation = models.CharField(
        _("organisation"), max_length=200, blank=True, help_text=_("For monitors: the civil-society organisation.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["jurisdiction", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role__in=list(AGENCY_ROLES)) & Q(agency__isnull=False))
                | (~Q(role__in=list(AGENCY_ROLES)) & Q(agency__isnull=True)),
                name="role_agency_scope",
                violation_error_message=_("Agency staff and managers need an agency; other roles must not have one."),
            ),
            # Two partial constraints rather than one with nulls_distinct, which SQLite ignores.
            models.UniqueConstraint(
                fields=["user", "role", "agency"], condition=Q(agency__isnull=False), name="role_unique_in_agency"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "jurisdiction"],
                condition=Q(agency__isnull=True),
                name="role_unique_in_jurisdiction",
            ),
        ]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self) -> str:
        scope = self.agency or self.jurisdiction
        return f"{self.user} — {self.get_role_display()} ({scope})"

    def clean(self) -> None:
        if self.agency_id and self.jurisdiction_id and self.agency.jurisdiction_id != self.jurisdiction_id:
            raise ValidationError({"agency": _("The agency belongs to another jurisdiction.")})


class ApiToken(models.Model):
    """A bearer token for staff and integrations. Only a SHA-256 digest is stored.

    Tokens are 256 random bits, so a fast digest is enough (a slow password hash protects
    guessable secrets; these are not guessable) and lookups stay a single indexed query.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("What this token is for."))
    prefix = models.CharField(max_length=12, unique=True, help_text=_("Shown to tell tokens apart; not secret."))
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

"""People and the roles they hold, each scoped to an organisation and optionally an area."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    OFFICER = "officer", _("Officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    PARTNER_STAFF = "partner_staff", _("Partner agency staff")
    ANALYST = "analyst", _("Analyst")
    OVERSIGHT = "oversight", _("Oversight member")
    ORG_ADMIN = "org_admin", _("Organisation administrator")


STAFF_ROLES = frozenset(Role) - {Role.RESIDENT}
# Roles that keep a neighbourhood team's public page: its contact points and commitments.
TEAM_EDITOR_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.ORG_ADMIN})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractUser):
    """An account signs in with its e-mail address; there is no username."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email

    def roles(self) -> set[str]:
        return {m.role for m in self.memberships.all()}

    @property
    def holds_staff_role(self) -> bool:
        """Staff (and so MFA) applies to every role but resident, and to site admins."""
        if self.is_superuser or self.is_staff:
            return True
        return self.memberships.exclude(role=Role.RESIDENT).exists()


class Membership(models.Model):
    """A role held in an organisation; ``area`` narrows it to that area and everything in
    it (a district scope covers its neighbourhoods); no area means the whole organisation."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    area = models.ForeignKey(
        "places.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "area", "role"], name="unique_membership"
            )
        ]

    def __str__(self) -> str:
        where = self.area.name if self.area_id and self.area else self.organisation.name
        return f"{self.user} · {self.get_role_display()} · {where}"

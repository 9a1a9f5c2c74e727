"""The API's own records: the client applications allowed to write through Open311, and the
receipts that make their retried writes harmless."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Open311Client(models.Model):
    """A client application (an app, FixMyStreet, a council's system) holding an api_key.
    Only the key's SHA-256 digest is stored: the key itself is shown once, when issued."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("only for the jurisdiction of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Leave empty to let the application report to every organisation."),
    )
    key_prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 client application")
        verbose_name_plural = _("Open311 client applications")

    def __str__(self) -> str:
        return self.name


class Open311UpdateReceipt(models.Model):
    """An update a client posted (mySociety's POST servicerequestupdates), by the client's
    own ``update_id`` (``client_update_id``): posting it again returns the first one."""

    client = models.ForeignKey(Open311Client, on_delete=models.CASCADE, related_name="+")
    client_update_id = models.CharField(max_length=100)
    update = models.ForeignKey("concerns.Update", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "client_update_id"], name="one_receipt_per_update"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.client_update_id}"

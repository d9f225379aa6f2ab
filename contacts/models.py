import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Contact(models.Model):
    """A participant of a project, optionally linked to a login for the student portal."""

    project = models.ForeignKey(
        "accounts.Project", on_delete=models.CASCADE, related_name="contacts"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # The exact spelling the student asked us to print; empty means "use name".
    print_name = models.CharField(_("name on certificates"), max_length=200, blank=True)
    print_name_confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "email"],
                condition=~Q(email=""),
                name="contact_unique_email_per_project",
            ),
            models.UniqueConstraint(
                fields=["project", "user"],
                condition=Q(user__isnull=False),
                name="contact_unique_user_per_project",
            ),
        ]
        indexes = [models.Index(fields=["project", "name"], name="contact_project_name")]

    def __str__(self):
        return self.name

    @property
    def name_to_print(self) -> str:
        # The same rule as NAME_TO_PRINT below, for a loaded row.
        return self.print_name or self.name


# The name printed on certificates, as an expression over a Contact (or `<prefix>__` joined
# one): the name to print if one was set, else the name.
def name_to_print_expression(prefix: str = ""):
    return Coalesce(NullIf(F(f"{prefix}print_name"), Value("")), F(f"{prefix}name"))


class ContactEvent(models.Model):
    """A change to a contact shown in the card's History: who changed what, from what."""

    class Kind(models.TextChoices):
        NAME_CHANGED = "name_changed", _("name changed")
        PRINT_NAME_CHANGED = "print_name_changed", _("name on certificates changed")

    project = models.ForeignKey("accounts.Project", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    before = models.CharField(max_length=200, blank=True)
    after = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["contact", "-at"], name="contact_event_contact")]

    def __str__(self):
        return f"{self.contact}: {self.kind}"

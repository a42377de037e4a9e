"""The organisation: people and the business functions they act for.

A *function* (Marketing, Sales, Customer Service...) is the unit that holds rights over
touchpoints in the charter. Its *head* and its *delegates* may act for it: claim and release
rights, own decisions and actions. A person belongs to one home function, which is where they
sit, not what they may act for. *Executives* are the members of one group
(``settings.EXECUTIVE_GROUP_NAME``); *administrators* are staff.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from engagement.org.querysets import OrganisationQuerySet, UserManager


class User(AbstractUser):
    """A person in the organisation who signs in."""

    title = models.CharField(_("title"), max_length=150, blank=True)
    function = models.ForeignKey(
        "org.Function",
        verbose_name=_("home function"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text=_("Where the person sits. Acting for a function is granted separately."),
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ("last_name", "first_name", "username")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Function(models.Model):
    """A business function that can hold rights over touchpoints."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    head = models.ForeignKey(
        User,
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="headed_functions",
    )
    delegates = models.ManyToManyField(
        User,
        verbose_name=_("delegates"),
        blank=True,
        related_name="delegated_functions",
        help_text=_("People who may act for the function besides its head."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Archive a function instead of deleting it.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("function")
        verbose_name_plural = _("functions")
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="org_function_name_ci_unique",
                violation_error_message=_("A function with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org:function_detail", kwargs={"slug": self.slug})

"""Operational facts about the running system (not governance records)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time the scheduler's heartbeat task ran on a worker.

    One row per source. A recent beat proves the scheduler, the broker and a worker all work;
    the home page shows it so a stalled job system is noticed.
    """

    source = models.CharField(_("source"), max_length=100, unique=True)
    beat_at = models.DateTimeField(_("last beat"))
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    count = models.PositiveBigIntegerField(_("beats"), default=0)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.source} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"

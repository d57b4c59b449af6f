"""Audit: who looked at or changed what."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from .accounts import User
from .organisations import Establishment, LocalAuthority


class AuditEvent(models.Model):
    """Who looked at or changed what. Written by services; read by authority admins for their area."""

    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="audit_events")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    establishment = models.ForeignKey(Establishment, on_delete=models.SET_NULL, null=True, blank=True)
    authority = models.ForeignKey(LocalAuthority, on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["authority", "at"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type} {self.object_id}"

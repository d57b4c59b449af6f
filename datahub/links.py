"""Links that leave the portal (e-mails): absolute, from the configured PORTAL_BASE_URL."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` on the portal's public address; just ``path`` when no address is configured."""
    return f"{getattr(settings, 'PORTAL_BASE_URL', '').rstrip('/')}{path}"

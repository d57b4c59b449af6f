"""Which addresses a post may embed: the portal's own dashboards and their tables, nothing else.

Only the address is stored (``Post.embed_url``), normalised to a path on this portal with its
query and fragment (the fragment names the chart or table, e.g. ``#m-avg-tariff-lowest20``).
What it shows is assembled for each reader by insight.embeds with the reader's entitlement.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve

# URL names of views a post may embed (insight.urls): their pages are assembled per reader.
EMBEDDABLE = ("insight:establishment_dashboard", "insight:authority_dashboard", "insight:national")
_FRAGMENT = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
MAX_URL = 500


class EmbedRefused(ValueError):
    """The address cannot be embedded: the message says why (shown against the field)."""


def _own_host(host: str) -> bool:
    host = host.split(":", 1)[0].lower()
    allowed = [h.lower() for h in settings.ALLOWED_HOSTS]
    return any(h == "*" or host == h or (h.startswith(".") and host.endswith(h)) for h in allowed)


def embed_clean(url: str) -> str:
    """The address to store (path, query, fragment), or EmbedRefused saying why not."""
    url = url.strip()
    if not url:
        return ""
    if len(url) > MAX_URL:
        raise EmbedRefused(f"The address is longer than {MAX_URL} characters.")
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or (parts.netloc and not _own_host(parts.netloc)):
        raise EmbedRefused("Only a dashboard of this portal can be embedded: paste its address from the browser.")
    if not parts.path.startswith("/"):
        raise EmbedRefused("The address must be a dashboard's address on this portal (it starts with /insight/).")
    try:
        match = resolve(parts.path)
    except Resolver404:
        raise EmbedRefused("No page of the portal has that address.") from None
    if match.view_name not in EMBEDDABLE:
        raise EmbedRefused("Only a school's or an authority's dashboard or the national view can be embedded.")
    if parts.fragment and not _FRAGMENT.match(parts.fragment):
        raise EmbedRefused("The part after # must name a chart or table of the dashboard.")
    out = parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return out

"""Shareable views: the address of a page exactly as it is being shown, for the *Copy link* control.

A page that can be shared lists every choice it was built from (school or authority, year,
breakdown, measure, filters, sort, page of a list) in a fixed order, as the page resolved them,
defaults included. So the link does not depend on defaults that may change (a newer leaver year
in the next benchmark run, a different active membership in the viewer's session) and opens the
same view for anyone. The page it opens applies the opener's own access rules and entitlement:
the same view with their own suppression, or 403/404 where they may not open the page at all.
The template is ``templates/includes/_share_link.html``; the behaviour ``static/js/share-link.js``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

from django.http import HttpRequest


def share_url(request: HttpRequest, path: str, state: Mapping[str, object] | Iterable[tuple[str, object]]) -> str:
    """The absolute address of ``path`` with ``state`` as its query string (empty choices left out)."""
    pairs = state.items() if isinstance(state, Mapping) else state
    query = urlencode([(k, str(v)) for k, v in pairs if v is not None and v != ""])
    return request.build_absolute_uri(path + (f"?{query}" if query else ""))

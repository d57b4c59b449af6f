"""The page numbers a pagination bar shows (templates/includes/_pagination.html)."""

from __future__ import annotations

from django import template
from django.core.paginator import Page

register = template.Library()


@register.filter
def page_links(page: Page) -> list[int | None]:
    """The first and last page, the current one and two either side, in order; None where a run
    of pages is left out next to the current one's neighbours (shown as an ellipsis)."""
    current, last = page.number, page.paginator.num_pages
    out: list[int | None] = []
    for n in range(max(1, current - 3), min(last, current + 3) + 1):
        out.append(None if abs(n - current) == 3 and n not in (1, last) else n)
    if current - 3 > 1:
        out.insert(0, 1)
    if current + 3 < last:
        out.append(last)
    return out

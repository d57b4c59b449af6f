"""Insight's documents: HTML made from the dashboards' templates, printed to PDF by WeasyPrint.

A document is a page (``insight.pages.parts.Page``) assembled by the same functions as the
dashboard it summarises, rendered with a Django template that includes the dashboard's own
table partial, then laid out by WeasyPrint. So a PDF carries exactly the cells the page shows
the same viewer, ``c`` where the page shows ``c``.

The PDF is tagged for accessibility (PDF/UA-1: a structure tree with headings, paragraphs,
lists and tables with header cells, the document's language and title). WeasyPrint fetches
nothing: the stylesheet is read from our static files and every other URL is refused, so a
document never reaches the network or the file system on a template's say.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

STYLESHEET = "css/summary-pdf.css"
PDF_VARIANT = "pdf/ua-1"  # tagged PDF with the metadata PDF/UA-1 asks for (title, language)
PDF_TYPE = "application/pdf"


@cache
def _fetcher() -> Any:
    """WeasyPrint's URL fetcher: a document loads nothing from outside itself."""
    from weasyprint.urls import URLFetcher

    class Refuse(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"documents load no external resources ({url[:80]})")

    return Refuse()


@cache
def _fonts() -> Any:
    """One font configuration per process: building it asks fontconfig for the system's fonts,
    a cost worth paying once, not per document."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@cache
def _stylesheet() -> Any:
    from weasyprint import CSS

    path = finders.find(STYLESHEET)
    if not path:
        raise FileNotFoundError(STYLESHEET)
    return CSS(string=Path(str(path)).read_text(encoding="utf-8"), url_fetcher=_fetcher(), font_config=_fonts())


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """``template`` rendered with ``context`` (a complete HTML document), as a tagged PDF."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    document = HTML(string=html, url_fetcher=_fetcher())
    return bytes(document.write_pdf(stylesheets=[_stylesheet()], font_config=_fonts(), pdf_variant=PDF_VARIANT))

"""The Summary PDF of an establishment: its dashboard's headline figures, as one document.

Built by ``establishment_page`` itself (the same selectors, the same disclosure control for the
same viewer, the same ``Table`` objects), then rendered by ``templates/insight/summary_pdf.html``,
which includes the dashboard's own table partial. Sections: context (the school, its leavers,
who the document was made for), the four national measures against the virtual comparator
(improving attainment for all, literacy and numeracy, leavers' destinations, attainment versus
deprivation), learning partners, and notes on method and disclosure.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils import dateformat, timezone

from datahub import disclosure
from datahub.access import Entitlement
from datahub.models import Establishment
from partnerships.selectors import partnership_tables

from ..exports import NO_DATA, filename
from .establishment import establishment_page
from .parts import Page


@dataclass(frozen=True)
class PartnerLine:
    name: str
    seed_code: str
    authority: str
    since: str


def learning_partners(est: Establishment, entitlement: Entitlement) -> list[PartnerLine] | None:
    """The school's active learning partners, for its own staff only (as View Partnerships:
    nobody else sees a school's partnerships); None for everyone else."""
    if entitlement is not Entitlement.OWN:
        return None
    return [
        PartnerLine(other.name, other.seed_code, other.authority.name, dateformat.format(timezone.localtime(p.updated_at), "j F Y"))
        for p in partnership_tables(est).active
        for other in [p.other(est)]
    ]


def summary_page(request: HttpRequest, est: Establishment) -> Page:
    """The establishment dashboard's page for this viewer, made into the Summary PDF's page."""
    page = establishment_page(request, est)
    page.template = "insight/summary_pdf.html"
    for table in page.tables.values():  # a printed table has no download links
        table.csv_url = table.xlsx_url = ""
    user = request.user
    page.context.update(
        generated=timezone.localtime(),
        prepared_for=getattr(user, "get_full_name", lambda: "")() or getattr(user, "email", ""),
        partners=learning_partners(est, page.context["entitlement"]),
        min_count=disclosure.min_count(),
        no_data=NO_DATA,
        dashboard_url=request.build_absolute_uri(
            reverse("insight:establishment_dashboard", kwargs={"seed": est.seed_code})),
        methodology_url=request.build_absolute_uri(reverse("insight:methodology")),
    )
    page.export_name = filename(est.name, est.seed_code, "summary")
    return page

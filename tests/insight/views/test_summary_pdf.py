"""The Summary PDF of an establishment: the dashboard's figures for the same viewer, tagged, audited;
and the printed-only statement of a dashboard's active filters."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from datahub.models import AuditEvent, Role
from insight.benchmarking import columns as c
from insight.selectors.catalogue import PANELS
from partnerships.models import Partnership, Status
from tests.factories import member
from tests.insight.checks import page_table
from tests.insight.worlds import DashWorld, client_for

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

# The dashboard's tables the summary carries, in the document's order.
SUMMARY_TABLES = ["leavers", *(f"m-{key.replace('_', '-')}" for _, _, keys in PANELS for key in keys), "deprivation"]


def urls(world: DashWorld, key: str) -> tuple[str, str]:
    seed = world.schools[key].seed_code
    return (reverse("insight:establishment_dashboard", kwargs={"seed": seed}),
            reverse("insight:establishment_summary_pdf", kwargs={"seed": seed}))


def pdf_tokens(resp: TestResponse) -> list[str]:
    """The PDF's text as words, in reading order (pypdf's extraction)."""
    reader = PdfReader(io.BytesIO(resp.content))
    return " ".join(page.extract_text() for page in reader.pages).split()


def find(tokens: list[str], wanted: list[str], start: int) -> int:
    """Index just after the first run of ``wanted`` in ``tokens`` at or after ``start``; -1 if none."""
    n = len(wanted)
    for i in range(start, len(tokens) - n + 1):
        if tokens[i:i + n] == wanted:
            return i + n
    return -1


def dashboard_and_pdf(client: Client, world: DashWorld, key: str) -> tuple[dict[str, list[list[str]]], list[str]]:
    page_url, pdf_url = urls(world, key)
    html = client.get(page_url).content.decode()
    resp = client.get(pdf_url)
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/pdf"
    assert resp["Content-Disposition"].startswith("attachment; filename=") and '.pdf"' in resp["Content-Disposition"]
    assert resp.content.startswith(b"%PDF-")
    tables = {tid: page_table(html, tid) for tid in SUMMARY_TABLES}
    return tables, pdf_tokens(resp)


def assert_pdf_holds_the_page(tables: dict[str, list[list[str]]], tokens: list[str]) -> None:
    """Every row of every summary table, header and cells exactly as the page shows them, appears
    in the PDF's text, the tables in order."""
    pos = 0
    for tid, rows in tables.items():
        assert len(rows) > 1, f"the dashboard has no table {tid}"
        for row in rows[1:]:
            wanted = " ".join(row).split()
            found = find(tokens, wanted, pos)
            assert found >= 0, f"{tid}: row {row} not in the PDF as on the page"
            pos = found


def school_cells(tables: dict[str, list[list[str]]]) -> list[tuple[str, int, int, str]]:
    """(table, row, column, text) of every figure in the tables."""
    return [(tid, i, j, cell) for tid, rows in tables.items() for i, row in enumerate(rows[1:], start=1)
            for j, cell in enumerate(row[1:], start=1)]


def test_own_staff_and_another_authoritys_analyst_each_get_the_figures_their_dashboard_shows(dash: DashWorld) -> None:
    own = client_for(member(Role.ESTABLISHMENT_STAFF, establishment=dash.schools["X1"]))
    other = client_for(member(Role.AUTHORITY_ANALYST, authority=dash.authorities[110]))  # X1 is in 100

    own_tables, own_tokens = dashboard_and_pdf(own, dash, "X1")
    assert_pdf_holds_the_page(own_tables, own_tokens)
    other_tables, other_tokens = dashboard_and_pdf(other, dash, "X1")
    assert_pdf_holds_the_page(other_tables, other_tokens)

    # The two viewers are entitled differently, and the documents differ where the pages do:
    # the analyst of another authority sees c where the school's own staff see the figure.
    own_cells = {(t, i, j): v for t, i, j, v in school_cells(own_tables)}
    withheld = [(t, i, j) for t, i, j, v in school_cells(other_tables) if v == "c"]
    assert withheld, "the public viewer should meet at least one withheld figure in the summary tables"
    school_column_withheld = [k for k in withheld if k[2] in (1, 2) and own_cells[k] != "c"]
    assert school_column_withheld, "a figure of the school itself is withheld for the outsider only"
    assert "c" in other_tokens
    # The school's own column never shows c to its own staff, on the page or in the PDF (same cells).
    assert all(own_tables[t][i][1] != "c" for t, i, _ in withheld)
    assert any(v.endswith("%") for _, _, _, v in school_cells(own_tables))


def test_the_pdf_is_tagged_for_accessibility_with_title_and_language(dash: DashWorld) -> None:
    client = client_for(member(Role.NATIONAL_ANALYST))
    resp = client.get(urls(dash, "Y1")[1])
    reader = PdfReader(io.BytesIO(resp.content))
    root = reader.trailer["/Root"].get_object()
    assert isinstance(root, DictionaryObject)
    mark_info = root["/MarkInfo"].get_object()
    assert isinstance(mark_info, DictionaryObject) and bool(mark_info["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert reader.metadata is not None and reader.metadata.title == f"{dash.schools['Y1'].name}: summary of benchmarks"
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for section in ("Context", "Improving attainment for all", "Literacy and numeracy", "Leavers' destinations",
                    "Attainment versus deprivation", "Learning partners", "Notes on method and disclosure"):
        assert section in text
    assert "shown to its own staff only" in text  # a national analyst is not the school's staff


def test_learning_partners_are_listed_for_the_schools_own_staff(dash: DashWorld) -> None:
    head = member(Role.ESTABLISHMENT_ADMIN, establishment=dash.schools["Z1"])
    Partnership.objects.create(proposer=dash.schools["Z1"], partner=dash.schools["Y3"], status=Status.ACTIVE)
    Partnership.objects.create(proposer=dash.schools["Z1"], partner=dash.schools["Y2"], status=Status.PROPOSED)
    text = " ".join(pdf_tokens(client_for(head).get(urls(dash, "Z1")[1])))
    assert dash.schools["Y3"].name in text and dash.schools["Y3"].seed_code in text
    assert dash.schools["Y2"].name not in text  # only an accepted partnership is a partner


def test_every_download_is_audited_and_the_dashboard_links_to_it(dash: DashWorld) -> None:
    staff = member(Role.ESTABLISHMENT_STAFF, establishment=dash.schools["X2"])
    client = client_for(staff)
    page_url, pdf_url = urls(dash, "X2")
    assert f'href="{pdf_url}"' in client.get(page_url).content.decode()
    assert "Download summary (PDF)" in client.get(page_url).content.decode()
    client.get(pdf_url)
    event = AuditEvent.objects.get(actor=staff, action="export_benchmarks", object_id=dash.schools["X2"].seed_code)
    assert event.detail["document"] == "summary" and event.detail["entitlement"] == "own"


def test_only_secondary_schools_have_a_summary(dash: DashWorld) -> None:
    client = client_for(member(Role.NATIONAL_ANALYST))
    assert client.get(urls(dash, "XS")[1]).status_code == 404
    assert client.get(reverse("insight:establishment_summary_pdf", kwargs={"seed": "0000000"})).status_code == 404


# --- Printing a dashboard ---------------------------------------------------------------------------


def test_a_printed_dashboard_states_the_choices_it_was_built_from(dash: DashWorld) -> None:
    client = client_for(member(Role.AUTHORITY_ANALYST, authority=dash.authorities[100]))
    page_url, _ = urls(dash, "X1")
    html = client.get(page_url + f"?breakdown={c.CARE_EXPERIENCED}&measure={c.PCT_INITIAL_POSITIVE}").content.decode()
    assert 'href="/static/css/print.css"' in html or "css/print.css" in html
    block = html.split('class="portal-print-only  portal-print-filters"', 1)[1].split("</dl>", 1)[0]
    assert f"<dt>Establishment</dt><dd>{dash.schools['X1'].name} ({dash.schools['X1'].seed_code})" in block
    assert "<dt>Groups of leavers</dt><dd>Care experience</dd>" in block
    assert "<dt>Measure for the groups</dt><dd>Leavers in a positive initial destination</dd>" in block
    # An unknown choice falls back to the default, and the printout says so as the page shows it.
    html = client.get(page_url + "?breakdown=nonsense").content.decode()
    assert "<dt>Groups of leavers</dt><dd>Sex</dd>" in html

    authority = client.get(reverse("insight:authority_dashboard", kwargs={"code": 100})
                           + f"?schools-measure={c.PCT_FOLLOWUP_POSITIVE}").content.decode()
    assert "<dt>Measure in the schools table</dt><dd>Leavers in a positive follow-up destination</dd>" in authority


def test_the_pdf_of_a_school_with_demo_figures_says_they_are_synthetic(dash: DashWorld) -> None:
    client = client_for(member(Role.NATIONAL_ANALYST))
    school = dash.schools["X1"]
    text = " ".join(pdf_tokens(client.get(urls(dash, "X1")[1])))
    assert "synthetic" not in text
    # As generate_demo_data --real-schools writes a school of the published list.
    type(school).objects.filter(pk=school.pk).update(synthetic=True, listed_year=2023)
    text = " ".join(pdf_tokens(client.get(urls(dash, "X1")[1])))
    assert "Demonstration data. The school is real" in text and "is synthetic" in text


def test_a_summary_of_a_synthetic_school_says_its_figures_are_demonstration_data(dash: DashWorld) -> None:
    staff = member(Role.ESTABLISHMENT_STAFF, establishment=dash.schools["X2"])
    pdf_url = urls(dash, "X2")[1]
    assert "Demonstration data" not in " ".join(pdf_tokens(client_for(staff).get(pdf_url)))
    type(dash.schools["X2"]).objects.filter(pk=dash.schools["X2"].pk).update(synthetic=True)
    assert "Demonstration data" in " ".join(pdf_tokens(client_for(staff).get(pdf_url)))

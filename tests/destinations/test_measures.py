"""Destination measures by school, authority and Scotland, with breakdowns; and the benchmark
engine's loader reads current records only (history excluded)."""

from __future__ import annotations

import pytest

from destinations import services
from destinations.selectors import DestinationMeasures, destination_measures
from insight.loaders import load_destinations

pytestmark = pytest.mark.django_db


def test_measures_count_every_leaver_and_current_records_only(world, caseload) -> None:
    year = caseload.leaver_year
    m = destination_measures(level="establishment", ids=[world.school_a.pk], years=[year])[(world.school_a.pk, year, None)]
    # School A's leavers that year: Una (unknown), Neil (seeking), Pat (HE, HE), Nina (FE, not seeking), Uri (HE).
    assert m.leavers == 5
    assert (m.initial_known, m.initial_positive) == (4, 3)  # Una's unknown is not known
    assert (m.follow_up_known, m.follow_up_positive) == (2, 1)
    assert (m.sustained_known, m.sustained) == (2, 1)
    assert m.initial_known_pct == 80.0 and m.initial_positive_pct == 75.0 and m.sustained_pct == 50.0
    # A change supersedes: only the current record counts.
    services.destination_record_create(leaver=caseload.unknown_a, kind="initial", category="EMPLOYMENT",
                                by=world.personas["mcmc_x"])
    m = destination_measures(level="establishment", ids=[world.school_a.pk], years=[year])[(world.school_a.pk, year, None)]
    assert m.leavers == 5 and (m.initial_known, m.initial_positive) == (5, 4)


def test_authority_and_national_levels_and_breakdowns(world, caseload) -> None:
    year = caseload.leaver_year
    x = destination_measures(level="authority", ids=[world.authority_x.pk], years=[year])[(world.authority_x.pk, year, None)]
    assert x.leavers == 6  # school A's five and Nora at A2
    scot = destination_measures(level="national", years=[year])[(None, year, None)]
    assert scot.leavers == 7  # and the young person of Y
    by_asn = destination_measures(level="establishment", ids=[world.school_a.pk], years=[year], breakdown="asn")
    assert by_asn[(world.school_a.pk, year, True)].leavers == 1
    assert by_asn[(world.school_a.pk, year, False)].leavers == 4
    by_q = destination_measures(level="national", years=[year], breakdown="simd_quintile")
    assert by_q[(None, year, 3)].leavers == 7  # decile 5 is quintile 3


def test_measures_merge_and_empty_percentages() -> None:
    a, b = DestinationMeasures(), DestinationMeasures()
    a.add(3, "HE", "HE", 2024)
    b.add(2, "UNEMPLOYED_SEEKING", None, 2024)
    a.merge(b)
    assert (a.leavers, a.initial_known, a.initial_positive, a.follow_up_known) == (5, 5, 3, 3)
    assert DestinationMeasures().initial_positive_pct is None


def test_the_engine_loader_reads_current_records_only(world, caseload) -> None:
    services.destination_record_create(leaver=caseload.unknown_a, kind="initial", category="FE", by=world.personas["mcmc_x"])
    frame = load_destinations([caseload.leaver_year])
    rows = frame[frame["leaver_id"] == caseload.unknown_a.pk]
    assert len(rows) == 1 and rows.iloc[0]["category"] == "FE" and rows.iloc[0]["positive"] == 1.0


def test_dashboard_tile_for_school_authority_and_scotland(world, caseload) -> None:
    from django.template.loader import render_to_string

    from destinations.tile import known_destinations_tile

    staff = world.personas["staff_a"]
    tile = known_destinations_tile(staff, staff.memberships.get())
    assert tile is not None and tile["place"] == "Alpha High School"
    # Una's initial destination is unknown: 4 of 5 known, below the 100% target.
    assert tile["rows"][0]["initial_known_pct"].value == 80.0 and tile["below_target"] == 1
    html = render_to_string("destinations/_known_tile.html", {"tile": tile})
    assert "80.0%" in html and "Target met" in html
    analyst = world.personas["analyst_x"]
    tile = known_destinations_tile(analyst, analyst.memberships.get())
    assert tile is not None and [r["label"] for r in tile["rows"]][-1] == "Aberdeen City: all schools"
    national = world.personas["national"]
    tile = known_destinations_tile(national, national.memberships.get())
    assert tile is not None and tile["rows"][-1]["label"] == "Scotland"
    assert tile["any_suppressed"]  # one or two leavers per authority: withheld from a national analyst

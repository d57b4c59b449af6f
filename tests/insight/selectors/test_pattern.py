"""The run's public suppression pattern, against an exact attacker and through the pages themselves."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

import pytest
from django.test import Client
from django.urls import reverse

from datahub.disclosure import Relation
from datahub.models import Role
from insight.benchmarking import columns as c
from insight.models import CohortResult, DeprivationResult
from insight.selectors.catalogue import LAYERS, year_label
from insight.selectors.pattern import LEVEL, hierarchies, public_pattern, value_order
from insight.selectors.vocational import vocational_table
from tests.factories import member
from tests.insight.checks import hierarchy_relations, lp_max, page_table
from tests.insight.worlds import DASH_YEARS as YEARS
from tests.insight.worlds import DashWorld

pytestmark = pytest.mark.django_db
LIMIT = 5


def stored_counts(world: DashWorld, layer: str) -> tuple[dict, dict]:
    """The run's counts of one layer as pattern keys, and the breakdowns with their groups."""
    counts, dims = {}, defaultdict(set)
    for cohort, cid, year, dim, value, n in CohortResult.objects.filter(run=world.run).exclude(cohort="vc").values_list(
        "cohort", "cohort_id", "year", "breakdown", "breakdown_value", layer
    ):
        counts[(LEVEL[cohort], cid, year, dim, value)] = n
        if dim:
            dims[dim].add(value)
    return counts, {d: sorted(v, key=value_order) for d, v in dims.items()}


@pytest.mark.parametrize("layer", LAYERS)
def test_no_withheld_cell_of_the_run_can_be_narrowed_below_five(dash: DashWorld, layer: str) -> None:
    pattern = public_pattern(dash.run)
    counts, dims = stored_counts(dash, layer)
    est_authority = {s.pk: s.authority_id for s in dash.schools.values()}
    checked = 0
    membership = {int(a): k for a, k in dash.run.collaboratives.items()}  # the collaborative level too
    for year, h in hierarchies(counts, est_authority, dims, membership).items():
        hidden = {(u, d, v) for (lvl, uid, y, d, v) in pattern.hidden[layer] if y == year for u in [(lvl, uid)]}
        relations = hierarchy_relations(h)
        insiders = sorted({i for u in h.parent for i in h.knows(u)}, key=repr)
        for cell, n in h.counts.items():
            if not 0 < n < LIMIT:
                continue
            assert cell in hidden, cell
            assert lp_max(h.counts, relations, hidden, cell) >= LIMIT - 1e-6, cell
            checked += 1
            for insider in insiders:
                chain = [cell[0], h.parent.get(cell[0]), h.parent.get(h.parent.get(cell[0]) or ("", 0))]
                if any(u is not None and insider in h.knows(u) for u in chain):
                    continue  # entitled to it anyway
                kids = [u for u, p in h.parent.items() if p == cell[0] and h.counts.get((u, *cell[1:]), 0) > 0]
                if kids and all(insider in h.knows(k) for k in kids):
                    continue  # the figure is the insider's own school's
                known = {k for k in hidden if insider in h.knows(k[0])}
                assert lp_max(h.counts, relations, hidden, cell, known=known) >= LIMIT - 1e-6, (insider, cell)
    assert checked > 10  # the world has small groups for the pattern to protect


def test_deciles_nested_in_quintiles_reveal_nothing_to_the_public(dash: DashWorld) -> None:
    """School and authority deciles are all withheld from the public (zeros too); with the decile
    equations added (quintile = its two deciles, authority = its schools, Scotland shown), no
    withheld quintile or decile can be narrowed below five."""
    pattern = public_pattern(dash.run)
    counts, dims = stored_counts(dash, c.N_LEAVERS)
    year = YEARS[-1]
    deciles = {}
    for cohort, cid, band, n in DeprivationResult.objects.filter(run=dash.run, year=year, simd_band_kind="decile").exclude(
        cohort="vc"
    ).values_list("cohort", "cohort_id", "simd_band", "n_leavers"):
        deciles[((LEVEL[cohort], cid), "simd_decile", str(band))] = n
    est_authority = {s.pk: s.authority_id for s in dash.schools.values()}
    membership = {int(a): k for a, k in dash.run.collaboratives.items()}
    h = hierarchies({k: v for k, v in counts.items() if k[2] == year}, est_authority, dims, membership)[year]
    all_counts = {**h.counts, **deciles}
    relations = hierarchy_relations(h)
    for unit in h.parent:
        for q in range(1, 6):
            relations.append(Relation((unit, c.SIMD_QUINTILE, str(q)),
                                      ((unit, "simd_decile", str(2 * q - 1)), (unit, "simd_decile", str(2 * q)))))
    kids = defaultdict(list)
    for u, p in h.parent.items():
        if p is not None:
            kids[p].append(u)
    for p, ks in kids.items():
        for d in range(1, 11):
            relations.append(Relation((p, "simd_decile", str(d)), tuple((k, "simd_decile", str(d)) for k in ks)))
    hidden = {((lvl, uid), d, v) for (lvl, uid, y, d, v) in pattern.hidden[c.N_LEAVERS] if y == year}
    withheld_deciles = {k for k in deciles if k[0][0] != "N"}
    hidden |= withheld_deciles
    # Every school and authority decile is withheld, zeros too: nobody knows one is not 0.
    for cell, n in all_counts.items():
        if 0 < n < LIMIT and cell[0][0] != "N":
            assert cell in hidden
            assert lp_max(all_counts, relations, hidden, cell, unknown_zero=withheld_deciles) >= LIMIT - 1e-6, cell


def test_vocational_uptake_pattern_protects_small_numbers(dash: DashWorld) -> None:
    table = vocational_table(dash.run)
    est_authority = {s.pk: s.authority_id for s in dash.schools.values()}
    awards = ["FA", "NPA", "SFW", "any"]
    checked = 0
    for year, h in hierarchies(table.counts, est_authority, {a: ["yes", "no"] for a in awards}).items():
        hidden = {((lvl, uid), d, v) for (lvl, uid, y, d, v) in table.hidden if y == year}
        relations = hierarchy_relations(h)
        for cell, n in h.counts.items():
            if 0 < n < LIMIT:
                assert cell in hidden, cell
                assert lp_max(h.counts, relations, hidden, cell) >= LIMIT - 1e-6, cell
                checked += 1
    assert checked >= 5, checked  # the world has small award groups: the loop above really ran


def _csv(client: Client, url: str) -> list[list[str]]:
    resp = client.get(url)
    assert resp.status_code == 200, url
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))


def test_a_differencing_attempt_through_the_pages_reveals_no_withheld_cell(dash: DashWorld) -> None:
    """An analyst of another authority downloads, for every school of Aberdeen City, its leavers
    and its care-experienced breakdown, and the authority's own, and does the arithmetic: the
    total minus the visible cells. Each withheld cell stays hidden among at least two unknowns
    that together leave room for five or more."""
    client = Client()
    client.force_login(member(Role.AUTHORITY_ANALYST, authority=dash.authorities[260]))
    la = dash.authorities[100]
    schools = [s for k, s in dash.schools.items() if k.startswith("X") and k != "XS"]
    for year in YEARS:
        q = f"?breakdown={c.CARE_EXPERIENCED}&year={year}"
        a_rows = _csv(client, reverse("insight:authority_export", kwargs={"code": str(la.code), "table": "breakdown",
                                                                          "fmt": "csv"}) + q)
        a_ce = {r[0]: r[1] for r in a_rows[1:]}
        per_school = {}
        for s in schools:
            rows = _csv(client, reverse("insight:establishment_export", kwargs={"seed": s.seed_code, "table": "breakdown",
                                                                                "fmt": "csv"}) + q)
            leavers = _csv(client, reverse("insight:establishment_export", kwargs={"seed": s.seed_code, "table": "leavers",
                                                                                   "fmt": "csv"}))
            total = next(r[1] for r in leavers[1:] if r[0] == year_label(year))
            per_school[s.pk] = ({r[0]: r[1] for r in rows[1:]}, total)
        # 1. Within a school: its leavers minus the visible group.
        for groups, total in per_school.values():
            hidden_groups = [g for g, v in groups.items() if v == "c"]
            # Never exactly one unknown, unless the school's total is withheld as well.
            assert len(hidden_groups) != 1 or total == "c", (year, groups, total)
            if hidden_groups and total != "c":
                visible = sum(int(v.replace(",", "")) for v in groups.values() if v != "c")
                residual = int(total.replace(",", "")) - visible
                assert residual - (len(hidden_groups) - 1) >= LIMIT  # each could still be 5 or more
        # 2. Across schools: the authority's group minus the visible schools' groups. The special
        # school is never shown on its own, so it is part of the residual too.
        for group, a_value in a_ce.items():
            unknown = [pk for pk, (groups, _) in per_school.items() if groups[group] == "c"]
            if a_value == "c" or not unknown:
                continue
            visible = sum(int(groups[group].replace(",", "")) for groups, _ in per_school.values() if groups[group] != "c")
            residual = int(a_value.replace(",", "")) - visible
            value = "yes" if group == "Care experienced" else "no"
            small = [pk for pk in unknown if 0 < CohortResult.objects.values_list("n_leavers", flat=True).get(
                run=dash.run, cohort="establishment", cohort_id=pk, year=year, breakdown=c.CARE_EXPERIENCED,
                breakdown_value=value) < LIMIT]
            if small:
                # The attacker learns only that the withheld schools (and the special school)
                # share ``residual``: each small one could still be 5 or more.
                assert residual - (len(unknown) - 1) >= LIMIT, (year, group, residual, len(unknown))


def test_the_same_cell_is_withheld_on_every_page_and_for_every_public_viewer(dash: DashWorld) -> None:
    """Consistency: a school's figure is shown or withheld alike on its own dashboard, on its
    authority's dashboard and in the national view, whoever the (non-entitled) viewer is."""
    national = Client()
    national.force_login(member(Role.NATIONAL_ANALYST))
    other_head = Client()
    other_head.force_login(member(Role.ESTABLISHMENT_ADMIN, establishment=dash.schools["Z1"]))
    measure = c.PCT_INITIAL_POSITIVE
    for key, s in dash.schools.items():
        if key == "XS":
            continue
        mine = page_table(national.get(reverse("insight:establishment_dashboard", kwargs={"seed": s.seed_code}))
                          .content.decode(), f"m-{measure.replace('_', '-')}")
        theirs = page_table(other_head.get(reverse("insight:establishment_dashboard", kwargs={"seed": s.seed_code}))
                            .content.decode(), f"m-{measure.replace('_', '-')}")
        if key == "Z1":
            continue  # Z1's head teacher sees her own school unsuppressed
        assert mine == theirs, key
    nat = page_table(national.get(reverse("insight:national") + f"?measure={measure}").content.decode(), "schools",
                     drop_trend=True)
    auth = page_table(national.get(reverse("insight:authority_dashboard", kwargs={"code": 100})
                                   + f"?schools-measure={measure}").content.decode(), "schools", drop_trend=True)
    by_name_nat = {r[0]: r[3:3 + len(YEARS)] for r in nat[1:]}
    by_name_auth = {r[0]: r[2:2 + len(YEARS)] for r in auth[1:]}
    for name, values in by_name_auth.items():
        assert by_name_nat[name] == values, name

"""The public suppression pattern against an attacker who combines everything the pages show.

tests/insight/selectors/test_pattern.py attacks each count layer of the run on its own. Here the
attacker holds every layer of a leaver year at once and the relations between them:

- every count layer (leavers; leavers with a known initial, follow-up and sustained destination)
  with its additive relations (a school's total = the groups of each breakdown, SIMD quintile rows
  included; an authority = its schools, so an authority minus its other schools is a school; a
  Regional Improvement Collaborative = its authorities (the run's membership); Scotland = its
  collaboratives);
- the percentages shown: a percentage of a base the attacker knows is a count (positive
  destinations = percentage x leavers with a known destination; literacy and numeracy =
  percentage x leavers), and those counts add up across groups and places too. The attacker is
  given the exact base of every percentage shown (stronger than a real one, who sees the number
  of leavers but not always the number with a known destination);
- the order between layers: positive <= known <= leavers; sustained known <= initial and
  follow-up known; literacy and numeracy at level 6 <= 5 <= 4 <= 3 <= leavers.

No withheld count may be narrowed below five. (In this world, with the schools taken in the order
of their ids, it cannot. When datahub.disclosure took units in the text order of their ids, school
10 before school 9, the same world gave another pattern in which this attacker recovered 3 leavers
exactly: protecting each layer alone is not proven enough in general; docs/test-evidence.md.) Across years: no page shows a count summed over
years (every table is one row per leaver year); the figures that do span years, Find Partners'
weighted scores, are checked in ``test_a_multi_year_score_minus_the_years_shown_reveals_no_withheld_year``.
"""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict

import pytest
from django.test import Client
from django.urls import reverse

from datahub.disclosure import Relation
from datahub.models import Role
from insight.benchmarking import columns as c
from insight.models import CohortResult, RunStatus
from insight.selectors.pattern import (
    LEVEL,
    DisclosurePattern,
    hierarchies,
    pattern_inputs,
    protect_layers,
    public_pattern,
    value_order,
)
from insight.services import run_create, run_execute_in_process
from tests.factories import EstablishmentFactory, member
from tests.insight.checks import hierarchy_relations, lp_max_many, page_table
from tests.insight.worlds import DashWorld, add_leavers, client_for, publish

pytestmark = pytest.mark.django_db
LIMIT = 5

# Percentage shown, the count it is built on (its layer), and the name of the derived count.
DESTINATIONS = (
    (c.PCT_INITIAL_POSITIVE, c.N_INITIAL_KNOWN, "positive_initial"),
    (c.PCT_FOLLOWUP_POSITIVE, c.N_FOLLOWUP_KNOWN, "positive_followup"),
    (c.PCT_SUSTAINED_POSITIVE, c.N_SUSTAINED_KNOWN, "positive_sustained"),
)
LIT_NUM = tuple((c.pct_lit_num(level), f"lit_num_{level}") for level in c.LIT_NUM_LEVELS)
COUNT_LAYERS = (c.N_LEAVERS, *(known for _, known, _ in DESTINATIONS))


def year_layers(world: DashWorld) -> dict[int, dict[str, dict]]:
    """Per leaver year, per layer (stored counts and counts derived from percentages), the counts
    keyed by pattern cell ((level, id), breakdown, group)."""
    fields = [*COUNT_LAYERS, *(p for p, _, _ in DESTINATIONS), *(p for p, _ in LIT_NUM)]
    out: dict[int, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
    for row in CohortResult.objects.filter(run=world.run).exclude(cohort=c.COHORT_VC).values(
        "cohort", "cohort_id", c.YEAR, c.BREAKDOWN, c.BREAKDOWN_VALUE, *fields
    ):
        cell = ((LEVEL[row["cohort"]], row["cohort_id"]), row[c.BREAKDOWN], row[c.BREAKDOWN_VALUE])
        layers = out[row[c.YEAR]]
        n = row[c.N_LEAVERS] or 0
        layers[c.N_LEAVERS][cell] = n
        for pct, known, name in DESTINATIONS:
            k = row[known] or 0
            layers[known][cell] = k
            layers[name][cell] = round(row[pct] * k / 100) if row[pct] is not None else 0
        for pct, name in LIT_NUM:
            layers[name][cell] = round(row[pct] * n / 100) if row[pct] is not None else 0
    return out


def shown_to_the_public(pattern: object, year: int, cell: tuple, layers: dict) -> dict[str, bool]:
    """Which of the cell's counts an outsider learns, as insight.selectors.figures shows them: a
    count of leavers unless the pattern hides it; a percentage (and so its count and base) unless
    the cell is hidden in the leavers' layer or in its base's layer, or its base is under five."""
    (level, uid), dim, value = cell
    key = (level, uid, year, dim, value)
    hides = pattern.hides  # type: ignore[attr-defined]
    n_hidden = hides(c.N_LEAVERS, key)
    shown = {c.N_LEAVERS: not n_hidden}
    n = layers[c.N_LEAVERS][cell]
    for _, name in LIT_NUM:
        shown[name] = not n_hidden and not 0 < n < LIMIT
    for _, known, name in DESTINATIONS:
        k = layers[known][cell]
        shown[known] = shown[name] = not n_hidden and not hides(known, key) and not 0 < k < LIMIT
    return shown


def orders(cells: list) -> list[tuple]:
    """a <= b between layers, for every cell."""
    pairs = []
    for cell in cells:
        for _, known, name in DESTINATIONS:
            pairs += [((name, cell), (known, cell)), ((known, cell), (c.N_LEAVERS, cell))]
        pairs += [((c.N_SUSTAINED_KNOWN, cell), (c.N_INITIAL_KNOWN, cell)),
                  ((c.N_SUSTAINED_KNOWN, cell), (c.N_FOLLOWUP_KNOWN, cell)),
                  (("positive_sustained", cell), ("positive_initial", cell)),
                  (("positive_sustained", cell), ("positive_followup", cell))]
        names = [name for _, name in LIT_NUM]  # levels 3, 4, 5, 6: each a subset of the one before
        pairs += [((names[i + 1], cell), (names[i], cell)) for i in range(len(names) - 1)]
        pairs.append(((names[0], cell), (c.N_LEAVERS, cell)))
    return pairs


NUMBERINGS = ("ids", "text of ids", "reversed", "shuffled 1", "shuffled 2", "shuffled 3")


def numbered_pattern(world: DashWorld, numbering: str) -> DisclosurePattern:
    """The run's pattern as the portal computes it, with the schools and authorities numbered in
    another order (a database numbers them as it pleases: the proof must not depend on it), read
    back under their own ids."""
    if numbering == "ids":
        return public_pattern(world.run)
    i = pattern_inputs(world.run)
    units = sorted({(level, uid) for layer in i.counts.values() for level, uid, *_ in layer})
    order = list(units)
    if numbering == "text of ids":
        order.sort(key=lambda u: (u[0], str(u[1])))
    elif numbering == "reversed":
        order.reverse()
    else:
        random.Random(numbering).shuffle(order)
    new = {u: 0 if u[0] == "N" else 10_000 + k for k, u in enumerate(order)}  # Scotland is unit 0
    old = {(level, new[(level, uid)]): uid for level, uid in units}

    def renumber(flat: dict) -> dict:
        return {(lv, new[(lv, uid)], *rest): n for (lv, uid, *rest), n in flat.items()}

    authority = {new[("E", e)]: new.get(("A", a), a) for e, a in i.establishment_authority.items() if ("E", e) in new}
    collaborative = {new[("A", a)]: new.get(("C", k), k) for a, k in i.authority_collaborative.items() if ("A", a) in new}
    hidden = protect_layers(
        {layer: renumber(flat) for layer, flat in i.counts.items()},
        authority, i.breakdowns, lambda u: i.tier((u[0], old.get(u, u[1]))), collaborative,
    )
    return DisclosurePattern({layer: frozenset((lv, old[(lv, uid)], *rest) for lv, uid, *rest in cells)
                              for layer, cells in hidden.items()})


@pytest.mark.parametrize("numbering", NUMBERINGS)
def test_no_withheld_count_can_be_narrowed_below_five_by_combining_layers_and_percentages(
        dash: DashWorld, numbering: str) -> None:
    pattern = numbered_pattern(dash, numbering)
    est_authority = {s.pk: s.authority_id for s in dash.schools.values()}
    membership = {int(a): k for a, k in dash.run.collaboratives.items()}
    checked = 0
    for year, layers in sorted(year_layers(dash).items()):
        base = layers[c.N_LEAVERS]
        dims: dict[str, set] = defaultdict(set)
        for _, dim, value in base:
            if dim:
                dims[dim].add(value)
        flat = {(u[0], u[1], year, d, v): n for (u, d, v), n in base.items()}
        h = hierarchies(flat, est_authority, {d: sorted(v, key=value_order) for d, v in dims.items()}, membership)[year]
        # The attacker holds the collaborative level too: each is the sum of its authorities.
        assert {u for u in h.parent if u[0] == "C"} and all(h.parent[u] == ("N", 0) for u in h.parent if u[0] == "C")
        structure = hierarchy_relations(h)
        counts = {(layer, cell): n for layer, cells in layers.items() for cell, n in cells.items()}
        relations = [Relation((layer, r.total), tuple((layer, p) for p in r.parts))
                     for layer in layers for r in structure if r.total is not None]
        # The attacker's equations must be true of the run's own figures, or the proof proves nothing.
        for r in relations:
            assert counts.get(r.total, 0) == sum(counts.get(p, 0) for p in r.parts), (year, r)  # type: ignore[arg-type]
        cells = list(base)
        order = orders(cells)
        for a, b in order:
            assert counts.get(a, 0) <= counts.get(b, 0), (year, a, b)
        hidden = set()
        for cell in cells:
            for layer, is_shown in shown_to_the_public(pattern, year, cell, layers).items():
                if not is_shown:
                    hidden.add((layer, cell))
        targets = [(layer, cell) for layer in COUNT_LAYERS for cell in cells if 0 < layers[layer][cell] < LIMIT]
        for target in targets:
            assert target in hidden, (year, target)
        for target, most in lp_max_many(counts, relations, hidden, targets, orders=order).items():
            assert most >= LIMIT - 1e-6, (year, target, counts[target], most)
            checked += 1
    assert checked >= 30, checked  # the world has small groups in every layer: the attacker really ran


# --- Across years: Find Partners' weighted scores ----------------------------------------------------


def test_a_multi_year_score_minus_the_years_shown_reveals_no_withheld_year(world: object) -> None:
    """A school whose lowest 20% is under five in one year and not in the other: its weighted
    normalised score (leaver-weighted over the years) and the other year's figures shown on its
    dashboard would give back the withheld year's score. So an outsider sees the weighted score of
    a group only when no year of it is withheld from them."""
    small = EstablishmentFactory.create(name="Smallisle Academy", authority=world.authority_x)  # type: ignore[attr-defined]
    add_leavers(small, 12, (2023,), effect=1, seed=1)  # lowest 20%: 3 leavers, withheld
    add_leavers(small, 40, (2024,), effect=1, seed=2)  # lowest 20%: 8 leavers, shown
    for k, authority in enumerate((world.authority_x, world.authority_y, world.authority_y)):  # type: ignore[attr-defined]
        other = EstablishmentFactory.create(name=f"Peer {k}", authority=authority)
        add_leavers(other, 30, (2023, 2024), effect=k - 1, seed=10 + k)
    for k, school in enumerate((world.school_a, world.school_a2, world.school_b)):  # type: ignore[attr-defined]
        add_leavers(school, 30, (2023, 2024), seed=20 + k)  # no other small school to share its suppression
    run = run_execute_in_process(run_create(years=[2023, 2024], seed=9))
    assert run.status == RunStatus.SUCCEEDED, run.error
    publish(run)
    sizes = dict(CohortResult.objects.filter(run=run, cohort=c.COHORT_ESTABLISHMENT, cohort_id=small.pk, breakdown="")
                 .values_list(c.YEAR, c.n_group(c.LOWEST20)))
    assert 0 < sizes[2023] < LIMIT <= sizes[2024], sizes  # the world is as the test needs it

    outsider = client_for(world.personas["admin_a"])  # type: ignore[attr-defined]
    dashboard = outsider.get(reverse("insight:establishment_dashboard", kwargs={"seed": small.seed_code})).content.decode()
    lowest = {row[0]: row[1:] for row in page_table(dashboard, "m-avg-tariff-lowest20")[1:]}
    assert lowest["2022/23"][0] == "c" and lowest["2023/24"][0] != "c", lowest  # one year withheld, one shown

    def weighted_lowest(client: Client) -> tuple[str, str]:
        text = client.get(reverse("insight:find_partners") + "?tab=closeness&format=csv").content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        col = next(i for i, h in enumerate(rows[0]) if h.lower().startswith("weighted") and "lowest" in h.lower())
        return rows[0][col], next(r[col] for r in rows[1:] if small.seed_code in r)

    heading, theirs = weighted_lowest(client_for(member(Role.ESTABLISHMENT_ADMIN, establishment=small)))
    assert theirs not in ("c", "", "Not known"), (heading, theirs)  # the school's own staff see it
    heading, outsiders = weighted_lowest(outsider)
    assert outsiders == "c", (heading, outsiders)  # an outsider does not

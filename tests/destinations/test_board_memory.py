"""The readiness board's rows in memory (destinations.pathways.board): every filter choice gives
what the pupils' own records say, the page shows each row as its model objects say, and a
process's memory gives way to the data as soon as the shared cache does (a change seen by one
process is seen by the next request in any other). Also the page's fragments: pagination and
select options as the templates wrote them before."""

from __future__ import annotations

import datetime as dt
import itertools
import types
from collections import OrderedDict
from typing import Any

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from datahub.models import Learner, LocalAuthority
from datahub.templatetags.pagination import page_links
from destinations.pathways import board, services
from destinations.pathways.selectors import BoardFilters, board_rows, board_snapshot
from destinations.templatetags.destinations_tags import select_options
from tests.destinations.pathway_worlds import Pupils, build_pupils, pupil
from tests.worlds import client_for as client

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def pupils(world) -> Pupils:
    """The pathway world with a bit of everything: key workers, next actions (overdue, done, due
    today), an intended destination that is not positive, two accepted offers, an open application."""
    p: Any = build_pupils(world)
    staff, mcmc, t = world.personas["staff_a"], world.personas["mcmc_x"], today()
    pupil(world.school_a, "Avril", "S6", p.year, family="Sixth")  # same family name: ordered by given name
    services.pathway_record_create(learner=p.s6_a, by=staff, aspiration="Nursing <RN> & care", intended_category="FE",
                                   key_worker=staff, next_action="Chase the college",
                                   next_action_due=t - dt.timedelta(days=3), next_action_owner=staff)
    services.pathway_record_create(learner=p.s5_a, by=staff, intended_stage="S5", intended_category="UNEMPLOYED_SEEKING",
                                   next_action="Careers talk", next_action_due=t - dt.timedelta(days=1),
                                   next_action_done=True)
    services.pathway_record_create(learner=p.s6_a2, by=mcmc, key_worker=mcmc, next_action="Meet Tom",
                                   next_action_due=t)
    services.offer_create(learner=p.s6_a, by=staff, kind="college", provider="City College", status="accepted",
                          status_date=t - dt.timedelta(days=10))
    services.offer_create(learner=p.s6_a, by=staff, kind="employment", provider="Later Employer", status="accepted",
                          status_date=t)
    services.offer_create(learner=p.s6_a2, by=mcmc, kind="college", provider="Open College", status_date=t)
    return p


def _wanted(row, f: BoardFilters, user_pk: int) -> bool:
    """The filter applied to a row's model objects (the meaning of each choice, independently of
    how the board's memory answers it)."""
    record, t = row.record, today()
    worker = record.key_worker_id if record else None
    chosen = {"me": user_pk, "none": None}[f.key_worker] if f.key_worker in ("me", "none") else f.key_worker
    checks = [
        f.who != "expected" or row.expected,
        not f.school or row.learner.establishment_id == f.school,
        not f.stage or row.stage == f.stage,
        not f.risk or row.rating.band == f.risk,
        not f.offer or (row.accepted is not None) == (f.offer == "yes"),
        not f.key_worker or worker == (int(chosen) if isinstance(chosen, str) else chosen),
        all(w.casefold() in row.learner.given_name.casefold() or w.casefold() in row.learner.family_name.casefold()
            for w in f.q.split()[:4]),
        f.action != "overdue" or bool(record and record.action_overdue(t)),
    ]
    return all(checks)


def test_every_filter_choice_gives_what_the_pupils_records_say(world, pupils) -> None:
    for persona in ("mcmc_x", "staff_a"):
        user = world.personas[persona]
        everyone = board_rows(user, BoardFilters(who="all"), today=today())
        assert len(everyone) == (5 if persona == "mcmc_x" else 4)
        scores = [(-r.rating.score, r.learner.family_name, r.learner.given_name, r.learner_id) for r in everyone]
        assert scores == sorted(scores)  # at risk first, then by name
        choices = [
            *(BoardFilters(who=w, risk=r, offer=o, key_worker=k, action=a) for w, r, o, k, a in itertools.product(
                ["expected", "all"], ["", "high", "medium", "low"], ["", "yes", "no"],
                ["", "me", "none", str(world.personas["staff_a"].pk)], ["", "overdue"])),
            *(BoardFilters(who="all", school=s, stage=st) for s, st in itertools.product(
                [None, world.school_a.pk, world.school_a2.pk], ["", "S4", "S5", "S6"])),
            *(BoardFilters(who="all", q=q) for q in ["av", "AV", "sixth av", "zz", "pupil", "o t"]),
        ]
        for f in choices:
            got = [r.learner_id for r in board_rows(user, f, today=today(), hydrate=False)]
            assert got == [r.learner_id for r in everyone if _wanted(r, f, user.pk)], (persona, f)


def test_the_page_shows_each_row_and_count_as_the_model_objects_say(world, pupils) -> None:
    officer = world.personas["mcmc_x"]
    r = client(officer).get(reverse("destinations:readiness"), {"who": "all"})
    assert r.status_code == 200
    everyone = board_rows(officer, BoardFilters(who="all"), today=today())
    shown = r.context["rows"]
    assert [v.pk for v in shown] == [row.learner_id for row in everyone]
    for view, row in zip(shown, everyone, strict=True):
        learner, record, kw = row.learner, row.record, row.key_worker
        owner = record.next_action_owner if record else None
        assert view._asdict() == {
            "pk": learner.pk, "given_name": learner.given_name, "family_name": learner.family_name,
            "url": reverse("destinations:pathway", kwargs={"pk": learner.pk}), "school": learner.establishment.name,
            "stage": row.stage, "expected": row.expected, "has_record": record is not None,
            "intends": record.get_intended_category_display() if record else "",
            "aspiration": record.aspiration if record else "", "intended_stage": record.intended_stage if record else "",
            "accepted_from": row.accepted.provider if row.accepted else None, "open_offers": row.open_offers,
            "rating": row.rating, "key_worker": (kw.get_full_name() or kw.email) if kw else None,
            "next_action": record.next_action if record else "",
            "next_action_due": record.next_action_due if record else None,
            "next_action_owner": (owner.get_full_name() or owner.email) if owner else None,
            "next_action_done": bool(record and record.next_action_done), "overdue": row.overdue,
        }
    assert r.context["summary"] == {
        "pupils": len(everyone), "at_risk": sum(row.rating.at_risk for row in everyone),
        "accepted": sum(row.accepted is not None for row in everyone),
        "intended": sum(bool(row.record and row.record.intended_category not in ("", "UNKNOWN")) for row in everyone),
        "overdue": sum(bool(row.record and row.record.action_overdue(today())) for row in everyone),
    }
    by_school = {s.name: (s.pupils, s.accepted, s.at_risk) for s in r.context["by_school"]}
    assert by_school == {
        school.name: (sum(row.learner.establishment_id == school.pk for row in everyone),
                      sum(row.learner.establishment_id == school.pk and row.accepted is not None for row in everyone),
                      sum(row.learner.establishment_id == school.pk and row.rating.at_risk for row in everyone))
        for school in (world.school_a, world.school_a2)
    }
    body = r.content.decode()
    assert "Later Employer" in body and "City College" not in body  # the latest accepted offer
    assert "Nursing &lt;RN&gt; &amp; care" in body and "1 application open" in body
    assert body.count('<strong class="ds_tag  ds_tag--red">Overdue</strong>') == 1
    assert body.count('<strong class="ds_tag  ds_tag--green">Done</strong>') == 1


def test_a_process_memory_gives_way_as_soon_as_the_shared_cache_does(world, pupils, monkeypatch) -> None:
    from django.core.cache import cache

    officer, t = world.personas["mcmc_x"], today()
    first = board_snapshot(officer, today=t)
    assert board_snapshot(officer, today=t) is first  # this process's memory
    # A change in the portal moves the data version: the next request anywhere reads it.
    services.offer_create(learner=pupils.s6_a2, by=officer, kind="training", provider="Trainer", status="accepted",
                          status_date=t)
    assert board_snapshot(officer, today=t) is not first
    assert {r.learner.given_name for r in board_rows(officer, BoardFilters(offer="yes"), today=t)} == {"Ava", "Tom"}
    held = board_snapshot(officer, today=t)
    # A change the version does not see (the Django admin) shows once the shared entry goes. Another
    # process (its own empty memory) rebuilds it; this process then drops what it held.
    Learner.objects.filter(pk=pupils.s6_a2.pk).update(given_name="Tomas")
    cache.clear()  # the shared entry expired
    this_process = board._SNAPSHOTS
    monkeypatch.setattr(board, "_SNAPSHOTS", OrderedDict())
    assert "Tomas" in {e.given_name for e in board_snapshot(officer, today=t).entries}
    monkeypatch.setattr(board, "_SNAPSHOTS", this_process)
    mine = board_snapshot(officer, today=t)
    assert mine is not held and "Tomas" in {e.given_name for e in mine.entries}
    # The shared cache emptied with nobody rebuilding: this process reads the data again too.
    Learner.objects.filter(pk=pupils.s6_a2.pk).update(given_name="Thomas")
    cache.clear()
    assert "Thomas" in {e.given_name for e in board_snapshot(officer, today=t).entries}


def test_page_links_are_the_numbers_the_pagination_showed() -> None:
    for last in range(1, 30):
        for current in range(1, last + 1):
            wanted: list[int | None] = []
            for n in range(1, last + 1):  # the rule the template applied to every page number
                if n in (1, current, last) or current - 2 <= n <= current + 2:
                    wanted.append(n)
                elif n in (current - 3, current + 3):
                    wanted.append(None)
            page = types.SimpleNamespace(number=current, paginator=types.SimpleNamespace(num_pages=last))
            assert page_links(page) == wanted, (last, current)  # type: ignore[arg-type]


class _Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Any"), ("a&b", "A & B <i>"), ("c", "C")], required=False)
    typed = forms.TypedChoiceField(choices=[("", "All"), (1, "One"), (12345, "Twelve thousand")], coerce=int,
                                   required=False)
    place = forms.ModelChoiceField(queryset=LocalAuthority.objects.order_by("code")[:3], required=False)


@pytest.mark.parametrize("data", [None, {"plain": "a&b", "typed": "12345"}, {"plain": "x", "typed": "1"}])
def test_select_options_are_the_options_the_template_wrote(data) -> None:
    before = Template("{% for o in f.subwidgets %}<option value=\"{{ o.data.value|default_if_none:'' }}\""
                      "{% if o.data.selected %} selected{% endif %}>{{ o.data.label }}</option>{% endfor %}")
    if data:
        data = {**data, "place": str(LocalAuthority.objects.order_by("code")[1].pk)}
    form = _Choices(data)
    for name in ("plain", "typed", "place"):
        field = form[name]
        assert select_options(field) == before.render(Context({"f": field}))
        assert "<option" in select_options(field)

"""The readiness measures page and its CSV: a place's weekly series (this session against the same
week of the last), and its schools or authorities at one week; every figure through
datahub.disclosure with the viewer's entitlement.

Suppression (docs/methodology.md §15, "Readiness measures week by week"): a percentage is built on the week's expected leavers, so
it is withheld (``c``) with that count when the count is 1-4 and the viewer is not entitled to
the place unsuppressed. For such viewers each week's table of units (the schools of an
authority, the authorities of Scotland) also gets secondary suppression against its total
(``disclosure.suppress_table``), and a unit's own series is withheld in the weeks its row is, so
the same cell is hidden on every page of the place; when an authority's total is withheld, so
are all its schools.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.cache import cache

from datahub import disclosure
from datahub.access import Entitlement
from datahub.models import Establishment, LocalAuthority

from .measures import SESSION_WEEKS, SessionCounts, current_week, session_counts, week_start
from .selectors import _board_data_version, session_label

CACHE_SECONDS = 120


def counts(*, session: int, establishment_ids: list[int] | None = None,
           authority_ids: list[int] | None = None) -> SessionCounts:
    """``session_counts`` for every week, kept in the cache under the data version the readiness
    board uses (a pathway, offer or import change shows at once)."""
    scope = (sorted(establishment_ids) if establishment_ids is not None else None,
             sorted(authority_ids) if authority_ids is not None else None)
    digest = hashlib.sha256(repr(scope).encode()).hexdigest()[:24]
    key = f"readiness-measures:{session}:{_board_data_version()}:{digest}"
    found: SessionCounts | None = cache.get(key)
    if found is None:
        found = session_counts(session=session, establishment_ids=establishment_ids, authority_ids=authority_ids)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def hidden_units(expected: np.ndarray, totals: np.ndarray, entitled: bool) -> np.ndarray:
    """Units x weeks: which rows of each week's table to withhold for a viewer not entitled to
    them (primary and secondary, ``disclosure.suppress_table`` against the week's total)."""
    out = np.zeros(expected.shape, dtype=bool)
    if entitled or expected.size == 0:
        return out
    for w in range(expected.shape[1]):
        out[:, w] = disclosure.suppress_table([int(v) for v in expected[:, w]], int(totals[w]), Entitlement.PUBLIC)
    return out


@dataclass
class Series:
    """One place's three counts per week of one session, and the weeks withheld."""

    expected: np.ndarray
    known: np.ndarray
    accepted: np.ndarray
    hidden: np.ndarray
    weeks: int  # weeks with figures (this session: up to the current week)

    def cells(self, w: int, ent: Entitlement) -> dict[str, disclosure.Cell | None]:
        """Display cells of week index ``w`` (None past the weeks with figures)."""
        if w >= self.weeks:
            return {"expected": None, "known": None, "accepted": None}
        n = int(self.expected[w])
        hide = bool(self.hidden[w])

        def cell(v: float | int | None) -> disclosure.Cell:
            c = disclosure.cell(v, n, ent)
            return disclosure.Cell(c.value, n, c.suppressed or hide)

        return {"expected": cell(n), "known": cell(_pct(int(self.known[w]), n)),
                "accepted": cell(_pct(int(self.accepted[w]), n))}


def _series(c: SessionCounts, row: int | None, hidden: np.ndarray | None, weeks: int) -> Series:
    if row is None:
        e, k, a = c.total()
    else:
        e, k, a = c.expected[row], c.known[row], c.accepted[row]
    h = hidden if hidden is not None else np.zeros(c.weeks, dtype=bool)
    return Series(e, k, a, h, weeks)


@dataclass
class Unit:
    """A row of the breakdown: a school of an authority, or an authority of Scotland."""

    name: str
    url: str | None
    this: Series
    last: Series
    ent: Entitlement


@dataclass
class MeasuresPage:
    kind: str  # "establishment", "authority" or "national"
    name: str
    session: int
    week: int  # the week the breakdown shows (1-based)
    this_weeks: int
    this: Series
    last: Series
    ent: Entitlement
    units: list[Unit] = field(default_factory=list)
    unit_label: str = ""

    @property
    def labels(self) -> dict[str, str]:
        return {"this": session_label(self.session), "last": session_label(self.session - 1)}

    def week_label(self, w: int) -> str:
        return f"Week {w + 1} ({week_start(self.session, w + 1):%-d %b})"

    def weekly_rows(self) -> list[dict[str, Any]]:
        rows = []
        for w in range(SESSION_WEEKS):
            last_start = week_start(self.session - 1, w + 1)
            rows.append({"week": w + 1, "label": self.week_label(w), "current": w + 1 == self.this_weeks,
                         "last_start": last_start, "this": self.this.cells(w, self.ent),
                         "last": self.last.cells(w, self.ent)})
        return rows

    def unit_rows(self) -> list[dict[str, Any]]:
        w = self.week - 1
        return [{"name": u.name, "url": u.url, "this": u.this.cells(w, u.ent), "last": u.last.cells(w, u.ent)}
                for u in self.units]

    def chart(self, measure: str) -> dict[str, Any]:
        """A line chart of one share (``known`` or ``accepted``): this session to date against the
        last; built from the display cells, so a withheld figure is never in it."""
        rows = self.weekly_rows()

        def shown(c: disclosure.Cell | None) -> float | None:
            return None if c is None or c.suppressed or c.value is None else float(c.value)

        return {"type": "line", "unit": "%", "band": None, "skipLabels": True, "pointRadius": 3,
                "labels": [f"Week {r['week']}" for r in rows],
                "series": [
                    {"label": f"{self.labels['this']} (this session)", "role": "school",
                     "data": [shown(r["this"][measure]) for r in rows]},
                    {"label": f"{self.labels['last']} (same week last session)", "role": "national",
                     "data": [shown(r["last"][measure]) for r in rows]},
                ]}

    def any_suppressed(self) -> bool:
        cells = [c for r in self.weekly_rows() for part in ("this", "last") for c in r[part].values()]
        cells += [c for r in self.unit_rows() for part in ("this", "last") for c in r[part].values()]
        return any(c is not None and c.suppressed for c in cells)


def _week(asked: str, this_weeks: int) -> int:
    return int(asked) if asked.isdigit() and 1 <= int(asked) <= this_weeks else this_weeks


def establishment_page(est: Establishment, ent: Entitlement, *, session: int, today: dt.date,
                       week: str = "") -> MeasuresPage:
    """A school's series. A viewer not entitled to it unsuppressed gets the weeks its row is
    withheld in its authority's table (or its authority's in Scotland's) withheld here too."""
    this_weeks = current_week(session, today)
    scope = {"authority_ids": [est.authority_id]} if not ent.unsuppressed else {"establishment_ids": [est.id]}
    pair = []
    for s in (session, session - 1):
        c = counts(session=s, **scope)
        hidden = None
        if not ent.unsuppressed and est.id in c.school_ids:
            hidden = hidden_units(c.expected, c.expected.sum(axis=0), False)[c.school_ids.index(est.id)]
            hidden = hidden | _authority_totals_hidden(est.authority, s)  # as on the authority's page
        row = c.school_ids.index(est.id) if est.id in c.school_ids else -1
        if row < 0:
            c = SessionCounts(s, [est.id], *(np.zeros((1, SESSION_WEEKS), dtype=np.int64) for _ in range(3)))
            row = 0
        pair.append(_series(c, row, hidden, this_weeks if s == session else SESSION_WEEKS))
    return MeasuresPage("establishment", est.name, session, _week(week, this_weeks), this_weeks, pair[0], pair[1], ent)


def _authority_totals_hidden(authority: LocalAuthority, session: int) -> np.ndarray:
    """Weeks in which the authority's row is withheld in Scotland's table of authorities."""
    c = counts(session=session)
    by_auth = _by_authority(c)
    ids = list(by_auth)
    if authority.id not in by_auth:
        return np.zeros(SESSION_WEEKS, dtype=bool)
    expected = np.array([by_auth[a].expected for a in ids]) if ids else np.zeros((0, SESSION_WEEKS))
    return hidden_units(expected, c.expected.sum(axis=0), False)[ids.index(authority.id)]


@dataclass
class _Agg:
    expected: np.ndarray
    known: np.ndarray
    accepted: np.ndarray


def _by_authority(c: SessionCounts) -> dict[int, _Agg]:
    owner = dict(Establishment.objects.filter(id__in=c.school_ids).values_list("id", "authority_id"))
    out: dict[int, _Agg] = {}
    for i, sid in enumerate(c.school_ids):
        a = out.setdefault(owner[sid], _Agg(*(np.zeros(c.weeks, dtype=np.int64) for _ in range(3))))
        a.expected = a.expected + c.expected[i]
        a.known = a.known + c.known[i]
        a.accepted = a.accepted + c.accepted[i]
    return out


def authority_page(authority: LocalAuthority, ent: Entitlement, *, session: int, today: dt.date, week: str = "",
                   school_url: Any = None, school_ent: Any = None) -> MeasuresPage:
    """An authority's series and its schools at one week. ``school_url(est)`` links a school's
    own page (or None); ``school_ent(est)`` is the viewer's entitlement to it."""
    this_weeks = current_week(session, today)
    schools = list(Establishment.objects.filter(authority=authority, type__in=["secondary", "special"])
                   .order_by("name"))
    series: dict[int, list[Series]] = {s.id: [] for s in schools}
    totals = []
    for s in (session, session - 1):
        weeks = this_weeks if s == session else SESSION_WEEKS
        c = counts(session=s, authority_ids=[authority.id])
        own_hidden = None if ent.unsuppressed else _authority_totals_hidden(authority, s)
        totals.append(_series(c, None, own_hidden, weeks))
        ids = [sch.id for sch in schools]
        c = _padded(c, ids)
        hidden = hidden_units(c.expected, c.expected.sum(axis=0), ent.unsuppressed)
        if own_hidden is not None:
            hidden |= own_hidden[None, :]
        for i, sid in enumerate(ids):
            series[sid].append(_series(c, i, hidden[i], weeks))
    units = [Unit(sch.name, school_url(sch) if school_url else None, series[sch.id][0], series[sch.id][1],
                  school_ent(sch) if school_ent else ent)
             for sch in schools if series[sch.id][0].expected.any() or series[sch.id][1].expected.any()]
    return MeasuresPage("authority", authority.name, session, _week(week, this_weeks), this_weeks, totals[0],
                        totals[1], ent, units, "School")


def _padded(c: SessionCounts, ids: list[int]) -> SessionCounts:
    """``c`` with one row per id in ``ids`` order (zeros for a school without pupils)."""
    index = {s: i for i, s in enumerate(c.school_ids)}
    out = [np.zeros((len(ids), c.weeks), dtype=np.int64) for _ in range(3)]
    for j, sid in enumerate(ids):
        if sid in index:
            i = index[sid]
            out[0][j], out[1][j], out[2][j] = c.expected[i], c.known[i], c.accepted[i]
    return SessionCounts(c.session, ids, *out)


def national_page(*, session: int, today: dt.date, week: str = "", authority_url: Any = None,
                  authority_ent: Any = None) -> MeasuresPage:
    """Scotland's series and its authorities at one week (Scotland's figures are public)."""
    this_weeks = current_week(session, today)
    authorities = list(LocalAuthority.objects.order_by("name"))
    per: dict[int, list[Series]] = {a.id: [] for a in authorities}
    totals = []
    for s in (session, session - 1):
        weeks = this_weeks if s == session else SESSION_WEEKS
        c = counts(session=s)
        totals.append(_series(c, None, None, weeks))
        agg = _by_authority(c)
        zero = np.zeros(c.weeks, dtype=np.int64)
        expected = np.array([agg[a.id].expected if a.id in agg else zero for a in authorities])
        withheld = hidden_units(expected, c.expected.sum(axis=0), False)
        for i, a in enumerate(authorities):
            ent = authority_ent(a) if authority_ent else Entitlement.PUBLIC
            hidden = withheld[i] if not ent.unsuppressed else None
            g = agg.get(a.id) or _Agg(zero, zero, zero)
            per[a.id].append(Series(g.expected, g.known, g.accepted,
                                    hidden if hidden is not None else np.zeros(c.weeks, dtype=bool), weeks))
    units = [Unit(a.name, authority_url(a) if authority_url else None, per[a.id][0], per[a.id][1],
                  authority_ent(a) if authority_ent else Entitlement.PUBLIC)
             for a in authorities if per[a.id][0].expected.any() or per[a.id][1].expected.any()]
    return MeasuresPage("national", "Scotland", session, _week(week, this_weeks), this_weeks, totals[0], totals[1],
                        Entitlement.PUBLIC, units, "Authority")


def csv_rows(page: MeasuresPage) -> list[list[Any]]:
    """Every week of the place and of each unit, both sessions; withheld figures as ``c``."""

    def shown(c: disclosure.Cell | None) -> Any:
        return "" if c is None else ("" if c.shown is None else c.shown)

    out: list[list[Any]] = [["Place", "Session", "Week", "Week starting", "Expected leavers",
                             "Known intended destination %", "Accepted offer %"]]
    units: list[tuple[str, Series, Series, Entitlement]] = [(page.name, page.this, page.last, page.ent)]
    units += [(u.name, u.this, u.last, u.ent) for u in page.units]
    for name, this, last, ent in units:
        for session, series in ((page.session, this), (page.session - 1, last)):
            for w in range(series.weeks):
                cells = series.cells(w, ent)
                out.append([name, session_label(session), w + 1, week_start(session, w + 1).isoformat(),
                            shown(cells["expected"]), shown(cells["known"]), shown(cells["accepted"])])
    return out

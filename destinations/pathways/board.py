"""The readiness board's rows in memory: every pupil of a scope rated once per version of the
data, then filtered, ordered and counted in Python for each request.

``destinations.pathways.selectors.board_snapshot`` reads the rows (one set-based query) and names
the version; here they are kept in two layers: the plain rows in the shared cache, with a stamp
beside them, for ``BOARD_CACHE_SECONDS``; and in front of it each process's memory of the rated
entries (``BoardSnapshot``), used only while the shared cache holds the same stamp. So a change
that moves the version is seen by the next request in every process, and nothing a process holds
outlives the shared entry (another process's rebuild, or the cache emptied, replaces it).
A snapshot also remembers the selections asked of it (filters are pure functions of it).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple, cast

from django.core.cache import cache

from datahub.models import Learner, User

from .models import Offer, PathwayRecord
from .risk import PupilFacts, Rating, rate


@dataclass
class BoardFilters:
    """Cleaned board filters (destinations.pathways.forms.BoardFilterForm)."""

    who: str = "expected"  # "expected" (leaving this session) or "all" (every S4-S6 pupil)
    school: int | None = None
    stage: str = ""
    risk: str = ""  # "high", "medium", "low" or ""
    offer: str = ""  # "yes", "no" or ""
    key_worker: str = ""  # "me", "none", a user id, or ""
    q: str = ""
    action: str = ""  # "overdue" (a next action past its due date and not done) or ""

    def as_query(self) -> dict[str, str]:
        out = {"who": self.who} if self.who != "expected" else {}
        for name in ("stage", "risk", "offer", "key_worker", "action", "q"):
            if getattr(self, name):
                out[name] = str(getattr(self, name))
        if self.school:
            out["school"] = str(self.school)
        return out


BOARD_CACHE_SECONDS = 120  # the longest a change made outside the tracked tables takes to show
_SNAPSHOTS_KEPT = 16  # scopes (and days) kept in each process's memory
_SELECTIONS_KEPT = 64  # filter choices kept per scope


class BoardEntry(NamedTuple):
    """One pupil of a scope as the board's filters, order and counts need them: plain values and
    the shared rating, immutable (one process's requests share them; ``row`` makes a request's own)."""

    learner_id: int
    given_name: str
    family_name: str
    stage: str
    school_id: int
    key_worker_id: int | None
    intended_known: bool
    has_accepted: bool
    open_offers: int
    expected: bool
    rating: Rating
    overdue: bool
    names: tuple[str, str]  # given and family name casefolded, for the name filter
    key_worker_key: str  # str(key_worker_id): what the key worker filter compares

    def row(self) -> BoardRow:
        return BoardRow(self)


@dataclass
class BoardRow:
    """One pupil on the board: ``entry``, the plain values rating, filtering and sorting need
    (read through: ``row.rating``, ``row.stage``, ``row.has_accepted`` and the rest), and the model
    objects ``learner``, ``record`` and ``accepted``, loaded by ``board_hydrate`` only for the rows
    exported."""

    entry: BoardEntry
    learner: Learner = field(default=None)  # type: ignore[assignment]
    record: PathwayRecord | None = None
    accepted: Offer | None = None

    def __getattr__(self, name: str) -> Any:
        if name == "entry":  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self.entry, name)

    @property
    def key_worker(self) -> User | None:
        return self.record.key_worker if self.record else None


@dataclass(frozen=True)
class BoardSelection:
    """The pupils of a scope that pass the filters, in board order, with their counts."""

    entries: list[BoardEntry]
    # per school, in order of first appearance: pupils, known intended destination, accepted offer,
    # at high risk, overdue next action
    by_school: dict[int, tuple[int, int, int, int, int]]

    @property
    def summary(self) -> dict[str, int]:
        totals = [sum(c[i] for c in self.by_school.values()) for i in range(5)]
        return dict(zip(("pupils", "intended", "accepted", "at_risk", "overdue"), totals, strict=True))


class BoardSnapshot:
    """Every pupil of this session in one scope, rated, in board order (at risk first, highest
    score, then by name), as of one version of the data. Immutable but for the memory of the
    filter choices asked of it (``select``), which are pure functions of it."""

    def __init__(self, year: int, entries: tuple[BoardEntry, ...]) -> None:
        self.year = year
        self.entries = entries
        self._selections: OrderedDict[tuple, BoardSelection] = OrderedDict()
        self._lock = threading.Lock()

    def select(self, filters: BoardFilters, *, user_id: int | None) -> BoardSelection:
        wanted_worker = str({"me": user_id, "none": None}.get(filters.key_worker, filters.key_worker))
        words = tuple(w.casefold() for w in filters.q.split()[:4])
        key = (filters.who, filters.school, filters.stage, filters.risk, filters.offer,
               wanted_worker if filters.key_worker else "", words, filters.action)
        with self._lock:
            found = self._selections.get(key)
        if found is not None:
            return found
        rows: Iterable[BoardEntry] = self.entries
        if filters.who == "expected":
            rows = [e for e in rows if e.expected]
        if filters.school:
            rows = [e for e in rows if e.school_id == filters.school]
        if filters.stage:
            rows = [e for e in rows if e.stage == filters.stage]
        if filters.key_worker:
            rows = [e for e in rows if e.key_worker_key == wanted_worker]
        if filters.offer:
            yes = filters.offer == "yes"
            rows = [e for e in rows if e.has_accepted == yes]
        if words:
            rows = [e for e in rows if all(w in e.names[0] or w in e.names[1] for w in words)]
        if filters.action == "overdue":
            rows = [e for e in rows if e.overdue]
        if filters.risk:
            rows = [e for e in rows if e.rating.band == filters.risk]
        entries = list(rows)
        counts: dict[int, list[int]] = {}
        for e in entries:
            c = counts.get(e.school_id)
            if c is None:
                c = counts[e.school_id] = [0, 0, 0, 0, 0]
            c[0] += 1
            c[1] += e.intended_known
            c[2] += e.has_accepted
            c[3] += e.rating.at_risk
            c[4] += e.overdue
        selection = BoardSelection(entries, {sid: (c[0], c[1], c[2], c[3], c[4]) for sid, c in counts.items()})
        with self._lock:
            self._selections[key] = selection
            while len(self._selections) > _SELECTIONS_KEPT:
                self._selections.popitem(last=False)
        return selection


_SNAPSHOTS: OrderedDict[str, tuple[str, BoardSnapshot]] = OrderedDict()
_SNAPSHOTS_LOCK = threading.Lock()


def remember_board(key: str, build: Callable[[], tuple[int, list[tuple]]]) -> BoardSnapshot:
    """The snapshot kept under ``key``: this process's, while the shared cache holds the same
    stamp; else the shared cache's rows; else ``build``'s (the session and the plain rows, in board
    order), shared for ``BOARD_CACHE_SECONDS``."""
    stamp = cache.get(f"{key}:stamp")
    with _SNAPSHOTS_LOCK:
        held = _SNAPSHOTS.get(key)
    if held is not None and stamp is not None and held[0] == stamp:
        return held[1]
    shared = cast(tuple[str, int, list[tuple]] | None, cache.get(key))
    if shared is None:
        session, rows = build()
        shared = (uuid.uuid4().hex, session, rows)
        cache.set_many({key: shared, f"{key}:stamp": shared[0]}, BOARD_CACHE_SECONDS)
    snapshot = BoardSnapshot(shared[1], tuple(
        BoardEntry(lid, given, family, stage, school, key_worker, intended_known, has_offer, n_open, expected,
                   rate_cached(*rating_args), overdue, (given.casefold(), family.casefold()), str(key_worker))
        for (lid, given, family, stage, school, key_worker, intended_known, has_offer, n_open, expected, rating_args,
             overdue) in shared[2]
    ))
    with _SNAPSHOTS_LOCK:
        _SNAPSHOTS[key] = (shared[0], snapshot)
        _SNAPSHOTS.move_to_end(key)
        while len(_SNAPSHOTS) > _SNAPSHOTS_KEPT:
            _SNAPSHOTS.popitem(last=False)
    return snapshot


@lru_cache(maxsize=4096)
def rate_cached(leaving_year: int, has_offer: bool, intended_stage: str, intended_positive: bool | None, care: bool,
                 asn: bool, decile: int, awards: int, stage: str, today: dt.date,
                 weights: tuple[tuple[str, int], ...]) -> Rating:
    """Ratings depend only on these few facts, so pupils share them (SIMD deciles above the rule's
    and awards at or above its minimum are folded together by the caller: the rules cannot tell
    them apart)."""
    return rate(PupilFacts(leaving_year=leaving_year, has_accepted_offer=has_offer, intended_stage=intended_stage,
                           intended_positive=intended_positive, care_experienced=care, asn=asn, simd_decile=decile,
                           awards_level4_plus=awards, stage=stage), today=today, weights=dict(weights))

"""5. This session's S4-S6 pupils before they leave: pathway records and offers (issue 18).

The pupils are the leavers of the session's end (leaver year = session + 1) built by
``world.build_year`` exactly as past leavers are, then written without a leaving record or
destinations, with the enrolments up to this session and only the results of exam diets already
sat. Their simulated initial destination drives what they say they intend and which offers they
hold, so the demo readiness board looks like a real one: most pupils heading for a positive
destination have an application, more of them accepted the later in the session it is; those
heading for a negative one have fewer applications and more withdrawn or declined ones. Last
session's leavers get the same through their last session, so the readiness measures can
compare this session week by week with the same week last year.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from destinations.models import Offer, OfferEvent, PathwayRecord
from insight.demo.load import Writer, next_id
from insight.demo.outcomes import DEST, N_POS
from insight.demo.world import Year

_ASPIRATIONS = {
    "HE": ("Nursing", "Primary teaching", "Mechanical engineering", "Law", "Medicine", "Computing science",
           "Accountancy", "Psychology", "Architecture", "Physiotherapy"),
    "FE": ("Hairdressing", "Early learning and childcare", "Construction trades", "Motor vehicle engineering",
           "Professional cookery", "Sport and fitness", "Health and social care", "Music production"),
    "EMPLOYMENT": ("Electrician", "Joiner", "Retail", "Hospitality", "Family business", "Plumber", "Office work"),
    "TRAINING": ("Employability programme", "Pre-apprenticeship in construction", "Get into hospitality"),
    "VOLUNTARY": ("Youth work",),
    "PSD": ("Not sure yet: building confidence",),
    "OTHER": ("Not sure yet", "Something with animals", "Games design", "Working with cars", ""),
}
_COLLEGES = ("City of Glasgow College", "Glasgow Clyde College", "Edinburgh College", "Fife College",
             "New College Lanarkshire", "West College Scotland", "Dundee and Angus College", "Ayrshire College",
             "Forth Valley College", "North East Scotland College", "UHI Inverness", "Borders College")
_UNIVERSITIES = ("University of Glasgow", "University of Edinburgh", "University of Strathclyde",
                 "Glasgow Caledonian University", "Edinburgh Napier University", "University of Aberdeen",
                 "University of Dundee", "University of Stirling", "Robert Gordon University", "Heriot-Watt University")
_EMPLOYERS = ("Local council", "NHS board", "Scottish Water", "A local construction firm", "A local garage",
              "A supermarket", "A hotel group")
_TRAINERS = ("Employability partnership", "Local training provider", "Third-sector training provider")
# (offer kind, providers) by simulated destination.
_OFFER_FOR = {"HE": ("university", _UNIVERSITIES), "FE": ("college", _COLLEGES),
              "EMPLOYMENT": ("apprenticeship", _EMPLOYERS), "TRAINING": ("training", _TRAINERS),
              "VOLUNTARY": ("training", _TRAINERS), "PSD": ("training", _TRAINERS)}
_PATHWAYS = np.array(["none", "college_course", "foundation_apprenticeship", "work_placement", "volunteering"])
_PATHWAY_P = np.array([0.62, 0.14, 0.09, 0.1, 0.05])
_STAGE = np.array(["S4", "S5", "S6"])


_ACTIONS = ("Careers interview with SDS adviser", "Help with the college application", "Call home about plans",
            "Check the UCAS personal statement", "Visit a training provider", "Follow up the apprenticeship interview")


def load_pipeline(writer: Writer, y: Year, learner_ids: np.ndarray, *, session: int, today: dt.date, seed: int,
                  key_workers: dict[int, list[int]], actions: bool = True) -> None:
    """Pathway records and offers for the pupils of ``y`` (ids ``learner_ids``) through the
    session up to ``today``, with their history: a first record in late summer or autumn without
    a destination, and for most a later version naming it, the day it became known spread over
    the session (so the week-by-week readiness measures rise as they would); offers' statuses
    dated through the season, only those up to ``today`` written. Last session's leavers get the
    whole session (``today`` at its end). ``actions``: next actions on this session's current
    records, some overdue. ``key_workers``: school index -> user ids who may be key workers there
    (the demo logins' schools)."""
    rng = np.random.default_rng([seed, 18, session])
    n = y.n
    cats = np.array([c.value for c in DEST])[y.d_initial]
    positive = y.d_initial < N_POS
    t = np.datetime64(today, "D")
    start = np.datetime64(dt.date(session, 8, 1), "D")
    season_end = np.datetime64(dt.date(session + 1, 6, 15), "D")
    # Pathway: most pupils have one; the intention is known more often for those heading somewhere.
    has_record = rng.random(n) < np.where(positive, 0.9, 0.7)
    known = has_record & (rng.random(n) < np.where(positive, 0.85, 0.45))
    intended = np.where(cats == "UNKNOWN", "", cats)
    first_at = start + 19 + rng.integers(0, 75, n)  # 20 August to early November
    known_at = first_at + (rng.beta(1.3, 2.6, n) * (season_end - first_at).astype(int)).astype(int)
    have_first = has_record & (first_at <= t)
    have_known = have_first & known & (known_at <= t) & (intended != "")
    aspiration = np.array([_aspiration(rng, c if k else "OTHER") for c, k in zip(cats, known, strict=True)])
    stage_known = rng.random(n) < 0.85
    stage = np.where(stage_known, _STAGE[y.stage], "")
    pathway = _PATHWAYS[rng.choice(len(_PATHWAYS), size=n, p=_PATHWAY_P)]
    college = np.array(_COLLEGES)[rng.integers(0, len(_COLLEGES), n)]
    employer = np.array(_EMPLOYERS)[rng.integers(0, len(_EMPLOYERS), n)]
    provider = np.select([pathway == "none", pathway == "work_placement", pathway == "volunteering"],
                         ["", employer, "Youth Scotland"], college)
    kw = np.array([_key_worker(rng, key_workers.get(int(s), [])) for s in y.school], dtype=object)
    minute = rng.integers(8 * 60, 17 * 60, n).astype("timedelta64[m]")
    first_ts = (first_at.astype("datetime64[m]") + minute).astype("datetime64[s]")
    known_ts = (known_at.astype("datetime64[m]") + minute).astype("datetime64[s]")
    first_ts = np.where(known_ts <= first_ts, first_ts - np.timedelta64(1, "h"), first_ts)
    # Next actions on the current version: more for pupils without a known destination; due
    # dates around today, some done, some overdue.
    current = np.where(have_known, True, have_first)
    act = actions & current & (rng.random(n) < np.where(have_known, 0.2, 0.45))
    due = t + rng.integers(-21, 29, n)
    done = act & (due < t) & (rng.random(n) < 0.45)
    what = np.array(_ACTIONS)[rng.integers(0, len(_ACTIONS), n)]
    none = np.full(n, None, dtype=object)
    owner = np.where(act, kw, none)
    nat_d = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    nat_s = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    cols = ["learner", "aspiration", "intended_category", "intended_stage", "pathway", "pathway_detail",
            "pathway_provider", "key_worker", "note", "source", "recorded_at", "superseded_at", "next_action",
            "next_action_due", "next_action_owner", "next_action_done"]
    # First versions: no destination yet; superseded where it became known.
    r = np.flatnonzero(have_first)
    last = ~have_known[r]
    writer.write(PathwayRecord, cols, [
        learner_ids[r], np.where(last, aspiration[r], ""), np.full(r.size, ""), stage[r], pathway[r],
        [""] * r.size, provider[r], kw[r], [""] * r.size, ["demo"] * r.size, first_ts[r],
        np.where(last, nat_s[r], known_ts[r]), np.where(last & act[r], what[r], ""),
        np.where(last & act[r], due[r], nat_d[r]), np.where(last, owner[r], none[r]), last & done[r]])
    r = np.flatnonzero(have_known)
    writer.write(PathwayRecord, cols, [
        learner_ids[r], aspiration[r], intended[r], stage[r], pathway[r], [""] * r.size, provider[r], kw[r],
        [""] * r.size, ["demo"] * r.size, known_ts[r], nat_s[r], np.where(act[r], what[r], ""),
        np.where(act[r], due[r], nat_d[r]), owner[r], done[r]])
    _offers(writer, rng, learner_ids, cats, positive, session=session, today=today)


def _aspiration(rng: np.random.Generator, category: str) -> str:
    choices = _ASPIRATIONS.get(category, _ASPIRATIONS["OTHER"])
    return str(choices[int(rng.integers(0, len(choices)))])


def _key_worker(rng: np.random.Generator, users: list[int]) -> int | None:
    if not users or rng.random() < 0.3:
        return None
    return users[int(rng.integers(0, len(users)))]


def _offers(writer: Writer, rng: np.random.Generator, learner_ids: np.ndarray, cats: np.ndarray,
            positive: np.ndarray, *, session: int, today: dt.date) -> None:
    """One application for most pupils heading for a positive destination (two for university),
    fewer for the rest. Each offer's whole season is drawn (applied September to January, a
    decision weeks later, accepted in spring for most of those heading somewhere), then only the
    events up to ``today`` are written: the offer's status is the latest of them."""
    start = dt.date(session, 9, 1)
    season_end = dt.date(session + 1, 6, 30)
    offers: list[tuple] = []
    events: list[tuple] = []
    oid = next_id(Offer)
    for i in np.flatnonzero(rng.random(cats.size) < np.where(positive, 0.85, 0.35)):
        kind, providers = _OFFER_FOR.get(str(cats[i]), ("college", _COLLEGES))
        n_apps = 2 if kind == "university" and rng.random() < 0.6 else 1
        picks = rng.permutation(len(providers))[:n_apps]  # two applications go to two providers
        for k in range(n_apps):
            applied = start + dt.timedelta(days=int(rng.integers(0, 150)))
            offered = applied + dt.timedelta(days=int(rng.integers(14, 75)))
            decided = min(season_end, offered + dt.timedelta(days=int(rng.integers(7, 100))))
            u = rng.random()
            if positive[i] and k == 0:
                final = "accepted" if u < 0.9 else ("declined" if u < 0.95 else "withdrawn")
            elif positive[i]:  # the second university: declined once the first is accepted
                final = "declined" if u < 0.7 else ("withdrawn" if u < 0.9 else "offered")
            else:
                final = "declined" if u < 0.35 else ("withdrawn" if u < 0.6 else ("offered" if u < 0.8 else "applied"))
            trail = {"applied": [("applied", applied)], "offered": [("applied", applied), ("offered", offered)],
                     "accepted": [("applied", applied), ("offered", offered), ("accepted", decided)],
                     "declined": [("applied", applied), ("offered", offered), ("declined", decided)],
                     "withdrawn": [("applied", applied), ("withdrawn", min(decided, offered))]}[final]
            trail = [(st, on) for st, on in trail if on <= today]
            if not trail:
                continue
            provider = providers[int(picks[k])]
            offers.append((oid, int(learner_ids[i]), kind, provider, trail[-1][0], applied, trail[-1][1]))
            events.extend((oid, st, on) for st, on in trail)
            oid += 1
    if not offers:
        return
    o = list(zip(*offers, strict=True))
    writer.write(Offer, ["id", "learner", "kind", "provider", "course", "status", "applied_on", "status_date",
                         "source", "recorded_at"],
                 [list(o[0]), list(o[1]), list(o[2]), list(o[3]), [""] * len(offers), list(o[4]), list(o[5]),
                  list(o[6]), ["demo"] * len(offers), _noon(o[6])])
    e = list(zip(*events, strict=True))
    writer.write(OfferEvent, ["offer", "status", "status_date", "note", "recorded_at"],
                 [list(e[0]), list(e[1]), list(e[2]), [""] * len(events), _noon(e[2])])


def _noon(days: tuple) -> np.ndarray:
    """Recorded at noon of each day (datetime64[s], as the writer takes timestamps)."""
    return np.array([dt.datetime.combine(d, dt.time(12)) for d in days], dtype="datetime64[s]")

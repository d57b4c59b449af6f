"""5. This session's S4-S6 pupils before they leave: pathway records and offers (issue 18).

The pupils are the leavers of the session's end (leaver year = session + 1) built by
``world.build_year`` exactly as past leavers are, then written without a leaving record or
destinations, with the enrolments up to this session and only the results of exam diets already
sat. Their simulated initial destination drives what they say they intend and which offers they
hold, so the demo readiness board looks like a real one: most pupils heading for a positive
destination have an application, more of them accepted the later in the session it is; those
heading for a negative one have fewer applications and more withdrawn or declined ones.
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


def session_progress(session: int, today: dt.date) -> float:
    """How far through the application season (1 September to 30 June) ``today`` is, 0 to 1."""
    start, end = dt.date(session, 9, 1), dt.date(session + 1, 6, 30)
    return float(min(1.0, max(0.0, (today - start).days / (end - start).days)))


def load_pipeline(writer: Writer, y: Year, learner_ids: np.ndarray, *, session: int, today: dt.date, seed: int,
                  key_workers: dict[int, list[int]]) -> None:
    """Pathway records and offers for the pupils of ``y`` (ids ``learner_ids``). ``key_workers``:
    school index -> user ids who may be key workers there (the demo logins' schools)."""
    rng = np.random.default_rng([seed, 18, session])
    n = y.n
    cats = np.array([c.value for c in DEST])[y.d_initial]
    positive = y.d_initial < N_POS
    now = np.datetime64(dt.datetime.combine(today, dt.time(9)), "s")
    # Pathway: most pupils have one; the intention is known more often for those heading somewhere.
    has_record = rng.random(n) < np.where(positive, 0.9, 0.7)
    known = has_record & (rng.random(n) < np.where(positive, 0.85, 0.45))
    intended = np.where(known, cats, "")
    intended = np.where(intended == "UNKNOWN", "", intended)
    aspiration = np.array([_aspiration(rng, c if k else "OTHER") for c, k in zip(cats, known, strict=True)])
    stage_known = has_record & (rng.random(n) < 0.85)
    pathway = _PATHWAYS[rng.choice(len(_PATHWAYS), size=n, p=_PATHWAY_P)]
    college = np.array(_COLLEGES)[rng.integers(0, len(_COLLEGES), n)]
    employer = np.array(_EMPLOYERS)[rng.integers(0, len(_EMPLOYERS), n)]
    provider = np.select([pathway == "none", pathway == "work_placement", pathway == "volunteering"],
                         ["", employer, "Youth Scotland"], college)
    kw = np.array([_key_worker(rng, key_workers.get(int(s), [])) for s in y.school], dtype=object)
    r = np.flatnonzero(has_record)
    writer.write(PathwayRecord, ["learner", "aspiration", "intended_category", "intended_stage", "pathway",
                                 "pathway_detail", "pathway_provider", "key_worker", "note", "source", "recorded_at"],
                 [learner_ids[r], aspiration[r], intended[r], np.where(stage_known, _STAGE[y.stage], "")[r],
                  pathway[r], [""] * r.size, provider[r], kw[r], [""] * r.size, ["demo"] * r.size,
                  np.full(r.size, now)])
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
    fewer for the rest; statuses by how far through the season it is; each with its events."""
    progress = session_progress(session, today)
    start = dt.date(session, 9, 1)
    span = max(0, (today - start).days)
    if span == 0:
        return
    offers: list[tuple] = []
    events: list[tuple] = []
    oid = next_id(Offer)
    for i in np.flatnonzero(rng.random(cats.size) < np.where(positive, 0.85, 0.35)):
        kind, providers = _OFFER_FOR.get(str(cats[i]), ("college", _COLLEGES))
        n_apps = 2 if kind == "university" and rng.random() < 0.6 else 1
        picks = rng.permutation(len(providers))[:n_apps]  # two applications go to two providers
        for k in range(n_apps):
            applied = start + dt.timedelta(days=int(rng.integers(0, max(1, min(span, 120)))))
            decided = applied + dt.timedelta(days=int(rng.integers(0, max(1, (today - applied).days + 1))))
            u = rng.random()
            if positive[i] and k == 0:
                status = "accepted" if u < 0.85 * progress else ("offered" if u < 0.85 * progress + 0.2 else "applied")
            else:
                status = "declined" if u < 0.3 else ("withdrawn" if u < 0.5 else ("offered" if u < 0.7 else "applied"))
            trail = {"applied": ["applied"], "offered": ["applied", "offered"],
                     "accepted": ["applied", "offered", "accepted"], "declined": ["applied", "offered", "declined"],
                     "withdrawn": ["applied", "withdrawn"]}[status]
            provider = providers[int(picks[k])]
            offers.append((oid, int(learner_ids[i]), kind, provider, status, applied, decided if len(trail) > 1
                           else applied))
            for j, st in enumerate(trail):
                on = applied if j == 0 else (decided if j == len(trail) - 1 else applied + (decided - applied) / 2)
                events.append((oid, st, on))
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

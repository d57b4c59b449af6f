"""CSV exports of casework data. Every cell is neutralised against formula injection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .classification import CaseStatus
from .models import Case
from .selectors import age_on

# A spreadsheet treats a cell starting with one of these as a formula (OWASP CSV injection);
# tab and carriage return are added because some programs strip them before the check.

CASELOAD_COLUMNS = [
    "Scottish Candidate Number",
    "Given name",
    "Family name",
    "Date of birth",
    "Age",
    "School",
    "SEED code",
    "Year of leaving",
    "Stage of leaving",
    "Additional support needs",
    "Care experienced",
    "Status",
    "Status detail",
    "Status holds from",
    "Positive destination not sustained",
    "Assigned officer",
    "Next action",
    "Next action due",
    "Overdue",
    "Last contact",
    "Offer accepted before leaving",
]


def _date(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def caseload_csv_rows(cases: Iterable[Case], *, today: dt.date, accepted: Mapping[int, Any] | None = None,
                      ) -> Iterator[list[Any]]:
    """Header then one row per case (cases from selectors.caseload_for, so already scoped);
    ``accepted``: learner id -> the offer they accepted before leaving (not taken up, or not yet
    confirmed, since they are on the caseload)."""
    accepted = accepted or {}
    yield CASELOAD_COLUMNS
    for case in cases:
        leaver = case.leaver
        learner = leaver.learner
        officer = case.officer
        yield [
            learner.scn,
            learner.given_name,
            learner.family_name,
            _date(learner.date_of_birth),
            age_on(learner.date_of_birth, today),
            learner.establishment.name,
            learner.establishment.seed_code,
            f"{leaver.leaver_year - 1}/{str(leaver.leaver_year)[2:]}",
            leaver.stage,
            "Yes" if learner.asn else "No",
            "Yes" if learner.care_experienced else "No",
            CaseStatus(case.status).label,
            case.status_label,
            _date(case.status_date),
            "Yes" if case.not_sustained else "No",
            (officer.get_full_name() or officer.email) if officer else "",
            case.next_action,
            _date(case.next_action_date),
            "Yes" if case.next_action_date and case.next_action_date < today else "No",
            _date(case.last_contact_date),
            _offer(accepted.get(learner.pk)),
        ]


def _offer(offer: Any) -> str:
    if offer is None:
        return ""
    return f"{offer.provider}{', ' + offer.course if offer.course else ''} ({offer.get_kind_display()})"

"""The readiness board as CSV rows (the view neutralises every cell against formula injection)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .selectors import BoardRow

BOARD_COLUMNS = [
    "Scottish Candidate Number",
    "Given name",
    "Family name",
    "School",
    "SEED code",
    "Stage",
    "Expected to leave this session",
    "Intends to leave in",
    "Intended leaving date",
    "Career aspiration",
    "Intended destination",
    "Learning pathway",
    "Pathway provider",
    "Accepted offer",
    "Accepted offer from",
    "Applications and offers open",
    "Risk",
    "Risk score",
    "Risk reasons",
    "Key worker",
    "Next action",
    "Next action due",
    "Next action owner",
    "Next action done",
    "Next action overdue",
]


def board_csv_rows(rows: Iterable[BoardRow], *, show_scn: bool) -> Iterator[list[Any]]:
    """Header then one row per pupil (rows from selectors.board_rows, so already scoped)."""
    yield BOARD_COLUMNS
    for row in rows:
        learner, rec, offer = row.learner, row.record, row.accepted
        kw = row.key_worker
        yield [
            learner.scn if show_scn else "",
            learner.given_name,
            learner.family_name,
            learner.establishment.name,
            learner.establishment.seed_code,
            row.stage,
            "Yes" if row.expected else "No",
            rec.intended_stage if rec else "",
            rec.intended_date.isoformat() if rec and rec.intended_date else "",
            rec.aspiration if rec else "",
            rec.get_intended_category_display() if rec and rec.intended_category else "",
            rec.get_pathway_display() if rec else "",
            rec.pathway_provider if rec else "",
            "Yes" if offer else "No",
            f"{offer.provider} ({offer.get_kind_display()})" if offer else "",
            row.open_offers,
            row.rating.band_label,
            row.rating.score,
            "; ".join(row.rating.reason_texts),
            (kw.get_full_name() or kw.email) if kw else "",
            rec.next_action if rec else "",
            rec.next_action_due.isoformat() if rec and rec.next_action_due else "",
            _person(rec.next_action_owner) if rec and rec.next_action_owner else "",
            ("Yes" if rec.next_action_done else "No") if rec and rec.next_action else "",
            "Yes" if row.overdue else "No",
        ]


def _person(user: Any) -> str:
    return str(user.get_full_name() or user.email)

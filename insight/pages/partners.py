"""Find Partners as a CSV file: the rows the page would list, every one, as the viewer may see them.

Text cells a spreadsheet would read as a formula are neutralised (``csv_safe``); figures are
written as numbers, "c" when withheld.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from datahub import disclosure
from datahub.spreadsheet import neutralise

from ..models import RankingBasis
from ..selectors.partners import GROUPS, FindPartnersResult, PartnerRow, explain

PARTNERSHIP_STATES = {"active": "Learning partner", "sent": "Proposal sent", "received": "Proposal received"}


def csv_safe(value: object) -> object:
    """A text cell a spreadsheet would read as a formula gets a leading apostrophe
    (insight.exports.neutralise). Numbers we format ourselves are written as numbers: a negative
    score is not a formula, and an apostrophe would turn it into text."""
    return neutralise(value) if isinstance(value, str) else value


def _csv_number(cell: disclosure.Cell, places: int) -> object:
    shown = cell.shown
    if shown is None:
        return ""
    if shown == disclosure.SUPPRESSED:
        return disclosure.SUPPRESSED
    return round(float(shown), places)


def csv_header(year: int | None, *, stronger: bool) -> list[str]:
    header = ["Ranking order", "Establishment", "SEED code", "Local authority", "Roll band", "SIMD profile",
              "Weighted normalised score: lowest 20%", "Weighted normalised score: middle 60%",
              "Weighted normalised score: highest 20%", "Distance"]
    if stronger:
        header.append("Lowest 20% advantage")
    header += [f"Positive initial destination % ({year})", f"Literacy and numeracy SCQF level 4 % ({year})",
               f"Literacy and numeracy SCQF level 5 % ({year})", f"Lowest 20% average total tariff ({year})",
               "Learning partnership", "Why it ranks here"]
    return header


def csv_line(r: PartnerRow, result: FindPartnersResult, basis: str) -> list[object]:
    out: list[object] = [
        "Your school" if r.is_own else r.rank, r.establishment.name, r.establishment.seed_code,
        r.establishment.authority.name, r.roll_band, r.simd_profile,
        *(_csv_number(r.scores[g], 4) for g in GROUPS),
        _csv_number(r.distance, 4),
    ]
    if basis == RankingBasis.STRONGER:
        out.append(_csv_number(r.score_gap, 4))
    out += [_csv_number(r.positive, 1), _csv_number(r.lit_num4, 1), _csv_number(r.lit_num5, 1),
            _csv_number(r.tariff_lowest20, 1), PARTNERSHIP_STATES.get(r.partnership_state, ""),
            "" if r.is_own or result.own is None else explain(r, result.own, basis, result.total)]
    return out


def write_csv(out: Any, result: FindPartnersResult, rows: Sequence[PartnerRow], basis: str) -> int:
    """Write the own school then ``rows`` to ``out`` (a file-like object); returns how many rows."""
    out.write("\ufeff")  # so spreadsheet programs read UTF-8 (school names with accents)
    writer = csv.writer(out)
    writer.writerow(csv_header(result.year, stronger=basis == RankingBasis.STRONGER))
    body: Iterable[PartnerRow] = [*([result.own] if result.own else []), *rows]
    n = 0
    for r in body:
        writer.writerow([csv_safe(v) for v in csv_line(r, result, basis)])
        n += 1
    writer.writerow([])
    writer.writerow([csv_safe(disclosure.explanation())])
    return n

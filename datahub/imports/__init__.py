"""File and API imports for the data hub (see docs/import-formats.md).

This package's namespace is the surface for writing an import kind: a kind in another app
(destinations.imports) imports only ``datahub.imports``, never its modules.

- ``types``: the shared types (``ImportKind``, ``Context``, ``Counts``, ``Issue``, ``RowError``,
  ``Progress``, ``Outcome``) and the set-based lookups
- ``columns``: column types, validated a whole column at a time
- ``parsing``: CSV/XLSX into text frames, streamed a chunk of rows at a time (``TableStream``)
- ``xlsx``: a workbook's first worksheet, its rows streamed from the XML (expat)
- ``spool``: the checked chunks kept (on disk past the first) until the write; keys seen so far
- ``registry``: the kinds of file (``register``, ``get_kind``, ``all_kinds``)
- ``shared``: columns, lookups and the one-table write several kinds share
- ``kinds``: datahub's own kinds, registered from ``DatahubConfig.ready`` (destinations registers
  its own from ``DestinationsConfig.ready``)
- ``engine``: validation and the all-or-nothing write
- ``sql``: staging table, set-based counts, history and ON CONFLICT merge
- ``processing``: running one batch (claim, read, validate, write, record the outcome, progress)
- ``services``: import batches (create, from API records, cancel); ``selectors``: reads of batches
- ``forms``, ``views``: the import pages; ``api``: the bulk API (write mixin, batches, kinds)
"""

from .columns import Column, choices_from
from .registry import all_kinds, get_kind, register
from .shared import (
    ASN,
    CARE,
    FSM,
    SCN,
    SEED,
    SEX,
    SIMD,
    check_learner_scope,
    learners_by_scn,
    upsert_one_table,
)
from .sql import Staging, Upsert, execute, json_object, qn, reject_existing, same
from .types import Context, Counts, ImportKind, Issue, Progress, RowError, lookup, lookup_columns

__all__ = [
    "ASN",
    "CARE",
    "FSM",
    "SCN",
    "SEED",
    "SEX",
    "SIMD",
    "Column",
    "Context",
    "Counts",
    "ImportKind",
    "Issue",
    "Progress",
    "RowError",
    "Staging",
    "Upsert",
    "all_kinds",
    "check_learner_scope",
    "choices_from",
    "execute",
    "get_kind",
    "json_object",
    "learners_by_scn",
    "lookup",
    "lookup_columns",
    "qn",
    "register",
    "reject_existing",
    "same",
    "upsert_one_table",
]

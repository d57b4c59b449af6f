"""The import kinds the portal knows. datahub registers its own; higher apps (destinations)
register theirs from their AppConfig.ready, so datahub never imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .columns import Column
    from .engine import Context, Counts


@dataclass(frozen=True)
class ImportKind:
    """One kind of file: its columns, natural key, checks and how it is written.

    ``prepare(ctx)`` makes the cross-field and reference checks on ``ctx.frame`` (cleaned values)
    and adds the resolved ids the writer needs; it declares the establishment of each row with
    ``ctx.set_row_establishment`` so the engine can apply the import scope. ``write(ctx)`` runs
    inside the import's transaction once every row is valid, and returns the row counts; it must
    honour ``ctx.dry_run`` (count, write nothing).
    """

    name: str
    label: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    prepare: Callable[[Context], None]
    write: Callable[[Context], Counts]
    notes: tuple[str, ...] = field(default_factory=tuple)
    order: int = 100

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> ImportKind | None:
    _ensure_builtin()
    return _KINDS.get(name)


def all_kinds() -> list[ImportKind]:
    _ensure_builtin()
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.name))


def _ensure_builtin() -> None:
    from . import kinds  # noqa: F401  (registers datahub's own kinds on import)

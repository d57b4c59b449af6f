"""The import kinds the portal knows. datahub registers its own (datahub.imports.kinds) from
DatahubConfig.ready; higher apps (destinations) register theirs from their AppConfig.ready, so
datahub never imports them."""

from __future__ import annotations

from .types import ImportKind

_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> ImportKind | None:
    return _KINDS.get(name)


def all_kinds() -> list[ImportKind]:
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.name))


__all__ = ["ImportKind", "all_kinds", "get_kind", "register"]

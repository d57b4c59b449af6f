"""Where an import keeps its checked rows between validation and the write, a chunk at a time.

A file is read, checked and prepared a chunk of rows at a time (datahub.imports.engine); each
chunk's file cells (``raw``) and cleaned, prepared values (``frame``) go into the spool, and the
write reads them back a chunk at a time. A file of one chunk stays in memory; from the second
chunk on, chunks are pickled into a private temporary folder (deleted when the import ends), so
a million-row file never has more than one chunk in memory. The pickles are the process's own,
written and read back by it within one import.

``SeenKeys`` is the one cross-chunk record validation keeps: each distinct natural key seen so
far (as compact bytes) with the row it was first seen on, to find duplicates within the file.
"""

from __future__ import annotations

import pickle
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass
class _Part:
    start: int  # position of its first row among the file's rows (blank rows left out)
    rows: int
    raw: pd.DataFrame | None = None  # in memory...
    frame: pd.DataFrame | None = None
    path: Path | None = None  # ...or on disk


class Spool:
    def __init__(self) -> None:
        self.parts: list[_Part] = []
        self._dir: Path | None = None

    @property
    def rows(self) -> int:
        return self.parts[-1].start + self.parts[-1].rows if self.parts else 0

    def add(self, raw: pd.DataFrame, frame: pd.DataFrame) -> None:
        self.parts.append(_Part(self.rows, len(frame), raw, frame))
        if len(self.parts) > 1:
            for part in self.parts:
                if part.path is None:
                    self._to_disk(part)

    def _to_disk(self, part: _Part) -> None:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="insight-import-"))
        part.path = self._dir / f"{part.start}.pickle"
        with part.path.open("wb") as fh:
            # One dump: the cleaned values that are the file's own strings are stored once.
            pickle.dump((part.raw, part.frame), fh, protocol=pickle.HIGHEST_PROTOCOL)
        part.raw = part.frame = None

    def _load(self, part: _Part) -> tuple[pd.DataFrame, pd.DataFrame]:
        if part.path is None:
            assert part.raw is not None and part.frame is not None
            return part.raw, part.frame
        with part.path.open("rb") as fh:
            raw, frame = pickle.load(fh)  # noqa: S301 (written by this process for this import, in its own folder)
        return raw, frame

    def frames(self, columns: Sequence[str]) -> Iterator[pd.DataFrame]:
        """The cleaned, prepared values of ``columns``, a chunk at a time, in file order."""
        for part in self.parts:
            yield self._load(part)[1][list(columns)]

    def raw_values(self, column: str, positions: np.ndarray) -> np.ndarray:
        """The file's cells of ``column`` at ``positions`` (rows among the file's rows); "" where unknown."""
        out = np.array([""] * len(positions), dtype=object)
        for part in self.parts:
            inside = (positions >= part.start) & (positions < part.start + part.rows)
            if not inside.any():
                continue
            raw = self._load(part)[0]
            if column in raw.columns:
                out[inside] = raw[column].to_numpy(dtype=object)[positions[inside] - part.start]
        return out

    def close(self) -> None:
        self.parts = []
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


MAX_RUN = 1 << 18


class SeenKeys:
    """Natural keys seen in earlier chunks with the file row each was first seen on, as sorted
    arrays of compact keys (17 bytes a row for an SCN)."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, np.ndarray]] = []

    @staticmethod
    def encode(frame: pd.DataFrame, key: Sequence[str]) -> np.ndarray:
        """Each row's key as bytes (the key columns' text joined by a unit separator)."""
        joined = frame[key[0]].astype(str)
        for name in key[1:]:
            joined = joined + "\x1f" + frame[name].astype(str)
        if not len(joined):
            return np.array([], dtype="S1")
        return np.array([s.encode("utf-8") for s in joined.to_numpy(dtype=object)], dtype="S")

    def find(self, keys: np.ndarray) -> np.ndarray:
        """The file row where each key was first seen in an earlier chunk; 0 where it was not."""
        found = np.zeros(len(keys), dtype=np.int64)
        for known, rows in self.parts:
            if not len(keys):
                break
            common = np.result_type(known.dtype, keys.dtype)
            wanted = keys.astype(common, copy=False)
            at = np.minimum(np.searchsorted(known.astype(common, copy=False), wanted), len(known) - 1)
            hit = (known[at].astype(common, copy=False) == wanted) & (found == 0)
            found[hit] = rows[at[hit]]
        return found

    def add(self, keys: np.ndarray, rows: np.ndarray) -> None:
        """Keep ``keys`` (first seen on ``rows``). Sorted runs are merged like a binary counter
        (a run merges into the one before it when that one is no larger) up to ``MAX_RUN`` keys, so
        a file keeps few runs to search (a million rows: about six) while a merge's temporary
        copies stay small (at most ``MAX_RUN`` keys: about 10 MB)."""
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        self.parts.append((keys[order], rows.astype(np.int64)[order]))
        while (len(self.parts) > 1 and len(self.parts[-2][0]) <= len(self.parts[-1][0])
               and len(self.parts[-2][0]) + len(self.parts[-1][0]) <= MAX_RUN):
            (k1, r1), (k2, r2) = self.parts.pop(), self.parts.pop()
            common = np.result_type(k1.dtype, k2.dtype)
            merged = np.concatenate([k2.astype(common), k1.astype(common)])
            order = np.argsort(merged, kind="stable")  # two sorted runs: timsort merges them
            self.parts.append((merged[order], np.concatenate([r2, r1])[order]))

"""The registry: every registered kind (datahub's and destinations') has its section in the format
guide and a sample file with its columns."""

from __future__ import annotations

import pytest

from datahub.imports.registry import all_kinds
from tests.datahub.imports.worlds import SAMPLES

pytestmark = pytest.mark.django_db


def test_the_format_guide_and_samples_cover_every_kind_and_column() -> None:
    guide = (SAMPLES.parent / "import-formats.md").read_text()
    for kind in all_kinds():
        assert f"(`{kind.name}`)" in guide, kind.name
        assert (SAMPLES / f"{kind.name}.csv").is_file(), kind.name
        header = (SAMPLES / f"{kind.name}.csv").read_text().splitlines()[0].split(",")
        assert header == [c.name for c in kind.columns], kind.name
        for column in kind.columns:
            assert f"| `{column.name}` |" in guide, (kind.name, column.name)

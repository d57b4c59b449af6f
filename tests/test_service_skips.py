"""Under `make test` a test skipped for want of PostgreSQL, Redis or a worker fails the run
(tests/conftest.py's ``pytest_runtest_makereport``); a developer's plain pytest still skips it.

Runs pytest in a subprocess on two tiny tests that use our hook: one skipped for want of Redis,
one skipped for another reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = '''
import pytest

def test_needs_redis():
    pytest.skip("Redis is not running")

def test_not_about_services():
    pytest.skip("needs a Windows machine")
'''


def run(tmp_path: Path, required: bool) -> subprocess.CompletedProcess:
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_runtest_makereport  # noqa: F401\n")
    (tmp_path / "test_skips.py").write_text(TESTS)
    env = {k: v for k, v in os.environ.items() if k != "INSIGHT_TEST_SERVICES_REQUIRED"}
    env["PYTHONPATH"] = str(ROOT)
    if required:
        env["INSIGHT_TEST_SERVICES_REQUIRED"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:cacheprovider", "-q", "-rA", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


def test_a_skip_for_want_of_a_service_fails_under_make_test(tmp_path: Path) -> None:
    result = run(tmp_path, required=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 skipped" in result.stdout, result.stdout
    assert "skipped for want of a service under `make test`" in result.stdout


def test_without_make_test_it_is_still_a_skip(tmp_path: Path) -> None:
    result = run(tmp_path, required=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 skipped" in result.stdout, result.stdout

"""A 1,000,000-row XLSX census upload on the embedded default (SQLite, no broker, Celery eager).

Issue 13 item 5: the upload's request returns at once, the batch page shows progress while the
file is read and written by a thread of the web process, and the web process stays under 300 MB.

The script does not use the outer DATABASE_URL or broker: it builds its own embedded default in
a temporary folder (SQLite, no CELERY_BROKER_URL), so `make bench` can run it beside the
PostgreSQL benchmarks. Steps:
1. migrate a fresh SQLite database, generate the demo data (`--scale demo`), add a national data
   manager and sign them in (a session made in the database);
2. write bench/out/learners-1m.xlsx (openpyxl write-only, kept for later runs): 1,000,000 learners
   across the demo's secondary schools, 11 columns, in the documented learners format;
3. start `manage.py runserver --noreload` on the embedded default and POST the file to the upload
   page over HTTP, as a browser would; time the response;
4. poll the batch's status URL (what the progress bar reads) once a second until it finishes,
   printing the progress seen;
5. print the server process's peak resident memory (VmHWM from /proc, which includes the import
   thread), its memory before the upload (baseline), the response time and the import's duration.
Target: response under 5 s while the import runs on; peak memory under 300 MB.

Run: `.venv/bin/python bench/import_xlsx_embedded.py [rows] [csv]` (default 1,000,000 rows, XLSX;
with ``csv`` the same rows as a CSV file, bench/out/learners-1000000.csv).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
FORMAT = sys.argv[2] if len(sys.argv) > 2 else "xlsx"
TARGET_MB = 300
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORK = Path(tempfile.mkdtemp(prefix="insight-bench-xlsx-"))
ENV = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL")}
ENV.update(
    DATABASE_URL=f"sqlite:///{WORK / 'db.sqlite3'}",
    DJANGO_SETTINGS_MODULE="insight.config.settings",
    MEDIA_ROOT=str(WORK / "media"),
    DJANGO_ENV="development",
    DJANGO_ALLOW_ASYNC_UNSAFE="true",
)
ENV.pop("CELERY_TASK_ALWAYS_EAGER", None)
os.environ.clear()
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402

PYTHON = sys.executable
OUT = Path(os.environ.get("BENCH_OUTPUT_DIR", ROOT / "bench" / "out"))
COLUMNS = [
    "scn",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "simd_decile",
    "asn",
    "fsm",
    "seed_code",
    "year",
    "stage",
]


def setup() -> tuple[str, list[str]]:
    from datahub.models import Establishment, Membership, Role, User

    assert settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and settings.CELERY_TASK_ALWAYS_EAGER
    call_command("migrate", verbosity=0)
    call_command("generate_demo_data", scale="demo", seed=42, verbosity=0)
    user = User.objects.create_user("bench-xlsx@bench.invalid")
    Membership.objects.create(user=user, role=Role.DATA_MANAGER)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    seeds = list(
        Establishment.objects.filter(type="secondary").order_by("seed_code").values_list("seed_code", flat=True)
    )
    return session.session_key or "", seeds


def write_file(path: Path, seeds: list[str]) -> None:
    import csv

    from openpyxl import Workbook

    if FORMAT == "csv":
        with path.open("w", newline="") as text:
            csv.writer(text).writerows(_rows(seeds))
        return
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("learners")
    for row in _rows(seeds):
        ws.append(row)
    wb.save(path)


def _rows(seeds: list[str]) -> Iterator[list[object]]:
    from datahub.codes import make_scn

    yield list(COLUMNS)
    serial = 70_000_000
    for i in range(ROWS):
        scn = make_scn(serial)
        serial = int(scn[:8]) + 1
        yield (
            [
                scn,
                "Bench",
                f"Learner{i}",
                f"{2008 + i % 4}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "FM"[i % 2],
                1 + i % 10,
                "YN"[i % 5 > 0],
                "YN"[i % 3 > 0],
                seeds[i % len(seeds)],
                2024,
                f"S{1 + i % 6}",
            ]
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def vm(pid: int, field: str) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(match.group(1)) / 1024 if match else float("nan")


def multipart(fields: dict[str, str], file_field: str, path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{path.name}"\r\n'
        f"Content-Type: {'text/csv' if FORMAT == 'csv' else XLSX_TYPE}\r\n\r\n".encode()
    )
    body = b"".join(parts) + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def main() -> None:
    t0 = time.perf_counter()
    session_key, seeds = setup()
    print(f"set-up (migrate, demo data): {time.perf_counter() - t0:.1f} s; {len(seeds)} secondary schools")
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"learners-{ROWS}.{FORMAT}"
    if not path.exists():
        t0 = time.perf_counter()
        write_file(path, seeds)
        print(f"wrote {path.name}: {time.perf_counter() - t0:.1f} s")
    print(f"file: {ROWS:,} rows, {path.stat().st_size / 1e6:.1f} MB")

    port = free_port()
    log = open(WORK / "server.log", "w")  # noqa: SIM115 (closed at the end)
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=ENV,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    jar = http.cookiejar.CookieJar()
    jar.set_cookie(
        http.cookiejar.Cookie(
            0,
            settings.SESSION_COOKIE_NAME,
            session_key,
            None,
            False,
            "127.0.0.1",
            True,
            False,
            "/",
            True,
            False,
            None,
            False,
            None,
            None,
            {},
        )
    )
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        upload = f"{base}/datahub/imports/upload/learners/"
        for _ in range(100):
            try:
                page = opener.open(upload, timeout=30).read().decode()
                break
            except OSError:
                time.sleep(0.3)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the upload page"
        baseline = vm(server.pid, "VmRSS")
        body, ctype = multipart({"csrfmiddlewaretoken": token.group(1)}, "file", path)
        request = urllib.request.Request(upload, data=body, headers={"Content-Type": ctype, "Referer": upload})  # noqa: S310
        t0 = time.perf_counter()
        response = opener.open(request, timeout=600)
        answered = time.perf_counter() - t0
        batch_url = response.geturl()
        response.read()
        batch_id = int(re.search(r"/batches/(\d+)/", batch_url).group(1))  # type: ignore[union-attr]
        print(f"upload answered in {answered:.2f} s -> {batch_url.removeprefix(base)}")
        seen = []
        while True:
            status = json.loads(opener.open(f"{base}/datahub/imports/batches/{batch_id}/status/", timeout=30).read())
            seen.append((round(time.perf_counter() - t0), status["status"], status["percent"]))
            print(
                f"  {seen[-1][0]:>5} s  {status['status']:<10} {status['percent']:>3}%  rss {vm(server.pid, 'VmRSS'):.0f} MB",
                flush=True,
            )
            if status["finished"]:
                break
            time.sleep(5)
        total = time.perf_counter() - t0
        detail = (
            subprocess.run(
                [
                    PYTHON,
                    "manage.py",
                    "shell",
                    "-c",
                    f"from datahub.models import ImportBatch as B; b=B.objects.get(pk={batch_id}); "
                    "print(b.status, b.count_new, b.error_count, b.errors[:3], b.message, b.duration_seconds)",
                ],
                cwd=ROOT,
                env=ENV,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        peak = vm(server.pid, "VmHWM")
        print(f"batch {batch_id}: {detail}")
        print(
            f"import finished {total:.0f} s after the upload; progress readings: {len(seen)}, "
            f"distinct percentages: {sorted({p for _, _, p in seen})}"
        )
        print(
            f"server memory: baseline {baseline:.0f} MB, peak {peak:.0f} MB (target < {TARGET_MB} MB); "
            f"peak / target = {peak / TARGET_MB:.2f}"
        )
        print(f"response time {answered:.2f} s vs import {total:.0f} s: ratio {answered / total:.4f}")
        ok = peak < TARGET_MB and answered < 5 and status["status"] == "succeeded"
        print("RESULT:", "pass" if ok else "FAIL")
        if not ok:
            sys.exit(1)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    main()

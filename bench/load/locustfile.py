"""Locust sessions per role for the load test (run by bench/load/run_load.sh, never inside pytest).

Each simulated person is one of the demo logins' roles, with a session of its own (made by
bench/load/prepare.py: see there why signing in is left out), and works like the role does,
following links found on the pages it gets (journeys from the caseload, exports from the
dashboards, partner dashboards from Find Partners):
- head teachers (and school staff): their dashboard, the breakdowns, Find Partners (both tabs,
  other bases), partnerships, their destinations page, a partner's dashboard;
- MCMC officers: the caseload with filters and pages, young people's journeys, a contact note;
- analysts (authority and national): authority and national dashboards, CSV and XLSX exports;
- a data manager: import pages and history, small uploads, and once the 100,000-row import.
Requests are named by page (not by id) so the figures are per page. Environment: LOAD_FIXTURES
(bench/load/prepare.py's fixtures.json), LOAD_MAX_REQUESTS (stop after that many requests).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

FIXTURES: dict[str, Any] = json.loads(Path(os.environ["LOAD_FIXTURES"]).read_text())
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "0"))
_BIG_IMPORT = threading.Lock()
_big_import_started = False
_count = 0
_next_session: dict[str, itertools.count] = {role: itertools.count() for role in FIXTURES["sessions"]}


@events.request.add_listener
def _stop_after_max_requests(**_kwargs: Any) -> None:
    """Bound the test in requests as well as in time (--run-time)."""
    global _count
    _count += 1
    if MAX_REQUESTS and _count == MAX_REQUESTS:
        from locust.runners import STATE_STOPPING

        runner = _ENV["env"].runner if _ENV else None
        if runner is not None and runner.state != STATE_STOPPING:
            runner.quit()


_ENV: dict[str, Any] = {}


@events.init.add_listener
def _keep_env(environment: Any, **_kwargs: Any) -> None:
    _ENV["env"] = environment


class PortalUser(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 4)

    def on_start(self) -> None:
        """Take the next signed-in session of this role (bench/load/prepare.py made them: signing in
        itself is out of the test) and get a CSRF cookie from a page, as a browser would."""
        sessions = FIXTURES["sessions"][self.role]
        self.client.cookies.set("sessionid", sessions[next(_next_session[self.role]) % len(sessions)])
        self.page("/", "home")

    def page(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"{resp.status_code} on {url}")
                return ""
            if "/accounts/login/" in resp.url:
                resp.failure(f"sent to sign in from {url}")
                return ""
            return resp.text

    def post_form(self, url: str, data: dict[str, str], name: str, files: dict[str, Any] | None = None) -> None:
        data = dict(data, csrfmiddlewaretoken=self.client.cookies.get("csrftoken") or "")
        with self.client.post(url, data=data, files=files, name=name, headers={"Referer": f"{self.host}{url}"},
                              catch_response=True) as resp:
            if resp.status_code >= 400:
                resp.failure(f"{resp.status_code} on POST {url}")


class HeadTeacher(PortalUser):
    """Head teachers and staff of the two demo schools browsing their dashboards and Find Partners."""

    weight = 25

    def on_start(self) -> None:
        self.role, self.seed = random.choice([
            ("headteacher", FIXTURES["school1"]),
            ("headteacher2", FIXTURES["school2"]),
            ("staff", FIXTURES["school1"]),
        ])
        super().on_start()
        self.partners: list[str] = []

    @task(3)
    def home(self) -> None:
        self.page("/", "home")

    @task(6)
    def dashboard(self) -> None:
        self.page(f"/insight/establishments/{self.seed}/", "establishment dashboard")

    @task(2)
    def dashboard_breakdown(self) -> None:
        breakdown = random.choice(["sex", "simd_quintile", "asn", "care_experienced"])
        self.page(f"/insight/establishments/{self.seed}/?breakdown={breakdown}", "establishment dashboard, breakdown")

    @task(5)
    def find_partners(self) -> None:
        query = random.choice(["", "?tab=performance", "?basis=context", "?page=2"])
        text = self.page(f"/insight/find-partners/{query}", "find partners")
        found = sorted(set(re.findall(r'href="/insight/establishments/([0-9]{7})/"', text)) - {self.seed})
        if found:
            self.partners = found

    @task(2)
    def partner_dashboard(self) -> None:
        if self.partners:
            self.page(f"/insight/establishments/{random.choice(self.partners)}/", "another school's dashboard")

    @task(2)
    def partnerships(self) -> None:
        self.page("/partnerships/", "partnerships")

    @task(2)
    def destinations(self) -> None:
        self.page(f"/destinations/schools/{self.seed}/", "school destinations")


class McmcOfficer(PortalUser):
    """MCMC officers working the caseload: filter, page, open journeys, record contacts."""

    weight = 10
    role = "mcmc"

    def on_start(self) -> None:
        super().on_start()
        self.journeys: list[str] = []

    @task(5)
    def caseload(self) -> None:
        query = random.choice(["", "?status=not_positive", "?status=unknown", "?asn=yes", "?overdue=on",
                               "?care_experienced=yes", "?page=2", "?page=5", "?age=17"])
        text = self.page(f"/destinations/caseload/{query}", "caseload")
        found = re.findall(r'href="(/destinations/young-people/[0-9]+/)"', text)
        if found:
            self.journeys = found

    @task(4)
    def journey(self) -> None:
        if self.journeys:
            self.page(random.choice(self.journeys), "journey")

    @task(1)
    def contact(self) -> None:
        if not self.journeys:
            return
        url = random.choice(self.journeys) + "contacts/new/"
        self.page(url, "new contact form")
        self.post_form(url, {"contact_date": time.strftime("%Y-%m-%d"), "method": "phone", "outcome": "no_response",
                             "note": "Load test: no answer.", "next_action": "Phone again", "next_action_date": ""},
                       "new contact (POST)")

    @task(1)
    def destinations(self) -> None:
        self.page("/destinations/", "destinations index")


class Analyst(PortalUser):
    """Authority analysts: their authority's dashboard and exports of its tables."""

    weight = 10
    role = "analyst"

    def on_start(self) -> None:
        super().on_start()
        self.exports: list[str] = []

    def dashboard_url(self) -> str:
        return f"/insight/authorities/{FIXTURES['authority1']}/"

    @task(4)
    def dashboard(self) -> None:
        text = self.page(self.dashboard_url(), "authority dashboard" if "authorities" in self.dashboard_url()
                         else "national view")
        found = re.findall(r'href="(/insight/[a-z0-9/]+/export/[a-z0-9-]+\.(?:csv|xlsx))', text)
        if found:
            self.exports = sorted(set(found))

    @task(3)
    def export(self) -> None:
        if self.exports:
            url = random.choice(self.exports)
            self.page(url, f"export {url.rsplit('.', 1)[1]}")

    @task(1)
    def methodology(self) -> None:
        self.page("/insight/methodology/", "methodology")


class NationalAnalyst(Analyst):
    weight = 3
    role = "national"

    def dashboard_url(self) -> str:
        return "/insight/national/"


class DataManager(PortalUser):
    """The data manager: import pages, small corrections, and once the 100,000-row import."""

    weight = 2
    role = "datamanager"

    @task(3)
    def imports(self) -> None:
        self.page("/datahub/imports/", "imports")

    @task(2)
    def history(self) -> None:
        self.page("/datahub/imports/history/", "import history")

    @task(1)
    def big_import(self) -> None:
        global _big_import_started
        with _BIG_IMPORT:
            if _big_import_started:
                return
            _big_import_started = True
        self.page("/datahub/imports/upload/results/", "import upload page")
        path = Path(FIXTURES["import_file"])
        with path.open("rb") as fh:
            self.post_form("/datahub/imports/upload/results/", {"establishment": ""},
                           "import upload (100,000 rows, POST)", files={"file": (path.name, fh, "text/csv")})

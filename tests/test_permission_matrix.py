"""The cross-tenant permission matrix: every route, every persona, own and foreign objects.

Routes are read from the URL resolver, so a new route fails this test until it is given an
expected result in EXPECTED (our own routes) or falls under a third-party rule (allauth, admin).
Every response is also searched for the canary names planted in each school's learners: a user
must never receive a learner they may not see, whatever ids are put in the path or query string.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from datahub.access import can_view_learner

ANON = "anonymous"
PERSONAS = [
    ANON,
    "no_role",
    "admin_a",
    "staff_a",
    "admin_b",
    "staff_b",
    "mcmc_x",
    "analyst_x",
    "mcmc_y",
    "analyst_y",
    "national",
    "dm_a",
    "dm_x",
]
# Who covers which school (memberships reach it), and who may see its learners individually.
COVERS = {
    "A": {"admin_a", "staff_a", "mcmc_x", "analyst_x", "national", "dm_a", "dm_x"},
    "B": {"admin_b", "staff_b", "mcmc_y", "analyst_y", "national"},
}
LEARNERS = {
    "A": {"admin_a", "staff_a", "mcmc_x", "dm_a", "dm_x"},
    "B": {"admin_b", "staff_b", "mcmc_y"},
}


def walk(patterns: list, ns: str | None = None, prefix: str = "") -> Iterator[tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            sub = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from walk(p.url_patterns, sub, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{ns}:{p.name}" if ns else p.name), prefix + str(p.pattern)


def route_names() -> list[str]:
    return sorted({name for name, _ in walk(get_resolver().url_patterns)})


@dataclass
class Route:
    kwargs: Callable[[object, str], dict] | None  # (world, target) -> URL kwargs
    expect: Callable[[str, str], int | set[int]]  # (persona, target) -> status
    method: str = "get"


def portal_page(persona: str, target: str) -> int:
    return {ANON: 302, "no_role": 403}.get(persona, 200)


def covered(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 200 if persona in COVERS[target] else 404


def learner_list(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    if persona in LEARNERS[target]:
        return 200
    return 403 if persona in COVERS[target] else 404


def learner_page(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 200 if persona in LEARNERS[target] else 404


def api(inner: Callable[[str, str], int]) -> Callable[[str, str], int | set[int]]:
    def expect(persona: str, target: str) -> int | set[int]:
        if persona == ANON:
            return 401
        if persona == "no_role":
            return 403
        return inner(persona, target)

    return expect


def public(persona: str, target: str) -> int:
    return 200


def authenticated(persona: str, target: str) -> int | set[int]:
    return {401, 403} if persona == ANON else 200


def seed(w: object, t: str) -> dict:
    return {"seed": (w.school_a if t == "A" else w.school_b).seed_code}  # type: ignore[attr-defined]


def learner_pk(w: object, t: str) -> dict:
    return {"pk": (w.learner_a if t == "A" else w.learner_b).pk}  # type: ignore[attr-defined]


EXPECTED: dict[str, Route] = {
    "dashboard": Route(None, portal_page),
    "accessibility": Route(None, public),
    "healthz": Route(None, public),
    # The body carries admin_b's membership id: only admin_b may switch to it.
    "switch_context": Route(None, lambda p, t: {ANON: 302, "no_role": 403, "admin_b": 302}.get(p, 404), method="post"),
    "datahub:index": Route(None, portal_page),
    "insight:methodology": Route(None, portal_page),
    "datahub:establishment": Route(seed, covered),
    "datahub:establishment_learners": Route(seed, learner_list),
    "datahub:learner": Route(learner_pk, learner_page),
    "api:api-root": Route(None, api(lambda p, t: 200)),
    "api:authority-list": Route(None, api(lambda p, t: 200)),
    "api:authority-detail": Route(lambda w, t: {"code": 100 if t == "A" else 260}, api(lambda p, t: 200)),
    "api:establishment-list": Route(None, api(lambda p, t: 200)),
    "api:establishment-detail": Route(
        lambda w, t: {"seed_code": seed(w, t)["seed"]}, api(lambda p, t: 200 if p in COVERS[t] else 404)
    ),
    "api:learner-list": Route(None, api(lambda p, t: 200)),
    "api:learner-detail": Route(learner_pk, api(lambda p, t: 200 if p in LEARNERS[t] else 404)),
    "schema": Route(None, authenticated),
    "api_docs": Route(None, authenticated),
    "api_redoc": Route(None, authenticated),
}

# Third-party route families: their own rules apply; we still demand no server error and no leak.
THIRD_PARTY = (re.compile(r"^(account_|mfa_)"), re.compile(r"^admin:"))


def poisoned_query(w: object) -> str:
    """Another tenant's ids in every query parameter name a view might read."""
    b = w.school_b  # type: ignore[attr-defined]
    lb = w.learner_b  # type: ignore[attr-defined]
    return (
        f"?seed={b.seed_code}&establishment={b.pk}&establishment__seed_code={b.seed_code}"
        f"&learner={lb.pk}&pk={lb.pk}&scn={lb.scn}&q={b.seed_code}&authority__code=260&year=2024"
    )


def client_for(world: object, persona: str) -> Client:
    c = Client()
    if persona != ANON:
        c.force_login(world.personas[persona])  # type: ignore[attr-defined]
    return c


def forbidden_canaries(world: object, persona: str) -> list[str]:
    user = None if persona == ANON else world.personas[persona]  # type: ignore[attr-defined]
    out = []
    for key, learner in (("A", world.learner_a), ("A2", world.learner_a2), ("B", world.learner_b)):  # type: ignore[attr-defined]
        if user is None or not can_view_learner(user, learner):
            out.append(world.canaries[key])  # type: ignore[attr-defined]
    return out


def test_every_route_has_an_expected_result() -> None:
    missing = [n for n in route_names() if n not in EXPECTED and not any(r.match(n) for r in THIRD_PARTY)]
    assert not missing, f"Routes without an expected result in the permission matrix: {missing}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_our_routes_for_persona(world: object, persona: str) -> None:
    client = client_for(world, persona)
    canaries = forbidden_canaries(world, persona)
    failures = []
    for name, route in EXPECTED.items():
        targets = ["A", "B"] if route.kwargs else ["-"]
        for target in targets:
            url = reverse(name, kwargs=route.kwargs(world, target) if route.kwargs else None)
            if route.method == "post":
                # Another user's membership id in the body.
                other = world.personas["admin_b"].memberships.first()  # type: ignore[attr-defined]
                resp = client.post(url, {"membership": other.pk})
                got_urls = [url]
            else:
                # Lists and pages get another tenant's ids in every query parameter; an object URL
                # is requested as it is (a filter there may rightly hide the object).
                full = url if route.kwargs else url + poisoned_query(world)
                resp = client.get(full)
                got_urls = [full]
            expected = route.expect(persona, target)
            ok = resp.status_code in expected if isinstance(expected, set) else resp.status_code == expected
            if not ok:
                failures.append(f"{name} [{target}] {got_urls[0]}: expected {expected}, got {resp.status_code}")
            body = resp.content.decode(errors="replace")
            leaked = [c for c in canaries if c in body]
            if leaked:
                failures.append(f"{name} [{target}] leaked {leaked}")
    assert not failures, "\n".join(failures)


def _fill(pattern: str, world: object) -> str | None:
    """A concrete path for a third-party route, with the other tenant's ids where ids are taken."""
    lb = world.learner_b  # type: ignore[attr-defined]
    path = re.sub(r"<path:object_id>|<int:object_id>|<str:object_id>|\(\?P<object_id>[^)]*\)", str(lb.pk), pattern)
    path = re.sub(r"<[^>]+>|\(\?P<[^>]+>[^)]*\)", "1", path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    if "(" in path or "[" in path:
        return None
    return "/" + path


@pytest.mark.parametrize("persona", [ANON, "no_role", "admin_a", "staff_a", "analyst_x", "national", "dm_a", "dm_x"])
def test_third_party_routes_never_error_or_leak(world: object, persona: str) -> None:
    client = client_for(world, persona)
    canaries = forbidden_canaries(world, persona)
    failures = []
    for name, pattern in walk(get_resolver().url_patterns):
        if name in EXPECTED or not any(r.match(name) for r in THIRD_PARTY):
            continue
        path = _fill(pattern, world)
        if path is None:
            continue
        resp = client.get(path)
        if resp.status_code >= 500:
            failures.append(f"{name} {path}: {resp.status_code}")
        outsider = persona in (ANON, "no_role", "admin_a", "staff_a", "analyst_x", "national")
        if outsider and name.startswith("admin:") and resp.status_code == 200 and "login" not in path:
            failures.append(f"{name} {path}: a non-data-manager reached the admin ({resp.status_code})")
        body = resp.content.decode(errors="replace")
        leaked = [c for c in canaries if c in body]
        if leaked:
            failures.append(f"{name} {path} leaked {leaked}")
    assert not failures, "\n".join(failures)

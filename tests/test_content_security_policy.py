"""The Content-Security-Policy: scripts only from our own origin and never inline, on every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["account_login", "accessibility", "api_docs"])
def test_pages_forbid_inline_and_foreign_scripts(client, world, name):
    if name != "account_login":
        client.force_login(world.personas["staff_a"])
    response = client.get(reverse(name))
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]


@pytest.mark.django_db
def test_api_docs_script_is_served_from_our_origin(client, world):
    client.force_login(world.personas["staff_a"])
    page = client.get(reverse("api_docs")).content.decode()
    inline = [s for s in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page, re.S) if s.strip()]
    assert inline == []
    # The docs page is server-rendered (insight/views/apidocs.py): any script it loads is our own file.
    sources = re.findall(r'<script[^>]*\bsrc="([^"]*)"', page)
    assert sources and all(src.startswith("/") and not src.startswith("//") for src in sources)


def test_no_template_carries_an_inline_script_or_handler():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for body in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", text, re.S):
            if body.strip():
                offenders.append(f"{path.relative_to(ROOT)}: inline <script>")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{path.relative_to(ROOT)}: inline event handler")
    assert offenders == []

"""The API documentation: the OpenAPI schema (drf-spectacular) as a server-rendered page.

Swagger UI failed WCAG 2.2 AA (contrast, nested interactive controls, target size, no ``lang``)
and needs inline script; this page is plain HTML in the design system, readable with a keyboard
and a screen reader, and printable. The machine-readable schema stays at /api/schema/.
Who: any signed-in user (as the schema itself); anyone else gets 403 with a sign-in link.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")
LITERAL = re.compile(r"``(.+?)``")


def _prose(text: str) -> list[SafeString]:
    """A docstring as paragraphs: its wrapped lines joined, ``literals`` as code (escaped first)."""
    paragraphs = (" ".join(line.strip() for line in block.splitlines()) for block in re.split(r"\n\s*\n", text or ""))
    return [mark_safe(LITERAL.sub(r"<code>\1</code>", escape(p))) for p in paragraphs if p]  # noqa: S308


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    # The routes are fixed when the process starts, so the schema is built once per process.
    return SchemaGenerator().get_schema(request=None, public=True)


def _ref_name(schema: dict[str, Any] | None) -> str | None:
    if not schema:
        return None
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array" and "$ref" in schema.get("items", {}):
        return str(schema["items"]["$ref"]).rsplit("/", 1)[-1] + " (list)"
    return None


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    if "allOf" in prop or "oneOf" in prop:
        refs = [_type(p) for p in prop.get("allOf", prop.get("oneOf", []))]
        return " or ".join(refs)
    kind = str(prop.get("type", "object"))
    if kind == "array":
        return f"list of {_type(prop.get('items', {}))}"
    fmt = prop.get("format")
    return f"{kind} ({fmt})" if fmt else kind


def _body(content: dict[str, Any] | None) -> str | None:
    if not content:
        return None
    for media in content.values():
        return _ref_name(media.get("schema"))
    return None


def _components(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, comp in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(comp.get("required", []))
        fields = [
            {
                "name": fname,
                "type": _type(prop),
                "required": fname in required,
                "read_only": prop.get("readOnly", False),
                "description": prop.get("description", ""),
                "enum": prop.get("enum"),
            }
            for fname, prop in comp.get("properties", {}).items()
        ]
        out.append({"name": name, "anchor": "schema-" + slugify(name), "description": _prose(comp.get("description", "")),
                    "fields": fields, "enum": comp.get("enum")})
    return out


def _groups(schema: dict[str, Any]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, item in schema.get("paths", {}).items():
        resource = path.removeprefix("/api/v1/").split("/", 1)[0] or "api"
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            groups.setdefault(resource, []).append({
                "method": method.upper(),
                "path": path,
                "anchor": slugify(op.get("operationId", f"{method}-{path}")),
                "description": _prose(op.get("description", "")),
                "parameters": [
                    {"name": p["name"], "in": p["in"], "required": p.get("required", False),
                     "type": _type(p.get("schema", {})), "description": p.get("description", "")}
                    for p in op.get("parameters", [])
                ],
                "request": _body(op.get("requestBody", {}).get("content")),
                "responses": [
                    {"code": code, "description": r.get("description", ""), "body": _body(r.get("content"))}
                    for code, r in op.get("responses", {}).items()
                ],
            })
    return [{"name": name.replace("-", " ").capitalize(), "anchor": "group-" + slugify(name), "operations": ops}
            for name, ops in groups.items()]


def api_docs(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        raise PermissionDenied("The API documentation is for signed-in users: sign in first.")
    schema = _schema()
    return render(request, "insight/api_docs.html", {
        "info": schema.get("info", {}),
        "security": schema.get("components", {}).get("securitySchemes", {}),
        "groups": _groups(schema),
        "components": _components(schema),
    })

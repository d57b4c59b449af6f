"""Design-system rendering of Django form fields, and small labels used by destinations pages."""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache
from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import localize
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def widget_kind(field: BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect):
        return "radio"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return getattr(widget, "input_type", "text")


@register.filter
def anchor_id(field: BoundField) -> str:
    """The id an error summary links to: the first radio of a group, else the control itself."""
    return f"{field.auto_id}_0" if widget_kind(field) == "radio" else field.auto_id


@register.filter
def described_by(field: BoundField) -> str:
    ids = []
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    return " ".join(ids)


@register.filter
def select_options(field: BoundField) -> SafeString:
    """The <option> elements of a select field, as the template would write them one by one
    (value localised as a template shows it, None as empty; label escaped): a select with many
    choices renders much faster this way."""
    return format_html_join("", '<option value="{}"{}>{}</option>', (
        ("" if o.data["value"] is None else localize(o.data["value"]), _SELECTED if o.data["selected"] else "",
         o.data["label"]) for o in field.subwidgets
    ))


_SELECTED = mark_safe(" selected")


@register.filter
def ds_widget(field: BoundField, width: str = "") -> SafeString:
    """The field's control with the design system's classes and its hint/error descriptions."""
    kind = widget_kind(field)
    classes = ["ds_select" if kind == "select" else "ds_input"]
    if kind == "date":
        classes.append("ds_input--fixed-10")
    elif width and kind != "textarea":
        classes.append(f"ds_input--fixed-{width}")
    if field.errors:
        classes.append("ds_input--error")
    attrs: dict[str, Any] = {"class": "  ".join(classes)}
    if described_by(field):
        attrs["aria-describedby"] = described_by(field)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag
def render_once(template_name: str, **values: Hashable) -> SafeString:
    """``template_name`` rendered with these values and nothing else from the page, once per
    distinct set of values (and language) in a process, then reused: for a fragment a page shows
    many times over (the readiness board's rows, risk ratings and table by school). The values
    must be hashable and hold everything the fragment shows (a tuple of plain values, a frozen
    dataclass), so the fragment is a function of them."""
    return _render_once(template_name, tuple(sorted(values.items())), translation.get_language())


@lru_cache(maxsize=4096)
def _render_once(template_name: str, values: tuple[tuple[str, Hashable], ...], language: str | None) -> SafeString:
    return render_to_string(template_name, dict(values))


@register.filter
def year_label(year: int | None) -> str:
    """2025 -> 2024/25 (a leaver year is the year the school session ends)."""
    if not year:
        return ""
    return f"{int(year) - 1}/{str(year)[2:]}"


@register.filter
def get_item_or_raw(mapping: dict[str, str], key: str) -> str:
    """mapping[key], or the key itself when it has no label (an action added elsewhere)."""
    return mapping.get(key, key)


@register.filter
def figure_text(cell: object, pct: bool = False) -> str:
    """A disclosure.Cell as plain text for running prose (as includes/_figure.html shows it in a
    table): ``c`` when withheld, "no figure" when there is none."""
    shown = getattr(cell, "shown", None)
    if shown == "c":
        return "c"
    if shown is None:
        return "no figure"
    return f"{float(shown):.1f}%" if pct else f"{int(shown):,}"

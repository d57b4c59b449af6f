"""Design-system rendering of Django form fields, and small labels used by destinations pages."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

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

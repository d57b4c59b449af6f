"""Figures of a joint evaluation as text: tariff points whole, percentages to one decimal place."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def figure(value: float | None, kind: str) -> str:
    if value is None:
        return ""
    return f"{value:.1f}%" if kind == "pct" else f"{value:,.0f}"


@register.filter
def change(value: float | None, kind: str) -> str:
    """The change from the baseline, signed ("+2.5 points", "-14")."""
    if value is None:
        return ""
    text = f"{abs(value):.1f} points" if kind == "pct" else f"{abs(value):,.0f}"
    if text in ("0.0 points", "0"):
        return "no change"
    return ("+" if value > 0 else "-") + text


@register.filter
def filesize(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{max(1, round(n / 1024))} KB"

"""Forms of the Benchmark runs page: start a run, publish it, withdraw it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Max

from datahub.models import SchoolLeaver

MAX_YEARS = 5


def leaver_years() -> list[int]:
    return list(SchoolLeaver.objects.order_by("-leaver_year").values_list("leaver_year", flat=True).distinct())


def year_label(year: int) -> str:
    return f"{year - 1}/{str(year)[-2:]}"


class RunStartForm(forms.Form):
    years = forms.TypedMultipleChoiceField(
        coerce=int,
        # The design system draws the box over the input with this class; without it both show.
        widget=forms.CheckboxSelectMultiple(attrs={"class": "ds_checkbox__input"}),
        label="Leaver years",
        help_text=f"Up to {MAX_YEARS}; the five-year average needs five.",
    )
    draws = forms.IntegerField(
        min_value=1,
        max_value=100,
        initial=1,
        label="Virtual comparator draws",
        help_text="1 repeats Insight's single draw; 20 gives an interval around every comparator figure.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        available = leaver_years()
        self.fields["years"].choices = [(y, year_label(y)) for y in available]  # type: ignore[attr-defined]
        last = SchoolLeaver.objects.aggregate(y=Max("leaver_year"))["y"]
        self.fields["years"].initial = [y for y in available if last is not None and y > last - MAX_YEARS]

    def clean_years(self) -> list[int]:
        years = sorted(self.cleaned_data["years"])
        if not years:
            raise forms.ValidationError("Choose at least one leaver year.")
        if len(years) > MAX_YEARS:
            raise forms.ValidationError(f"Choose at most {MAX_YEARS} leaver years.")
        return years


class PublishForm(forms.Form):
    release_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        label="Release note",
        help_text="What is new in these figures and why (schools read this).",
    )


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Why are these figures withdrawn?",
    )

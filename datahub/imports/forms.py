"""The upload form of the import pages (datahub.imports.views)."""

from __future__ import annotations

from typing import Any

from django import forms

from ..access import can_import_for
from ..models import Establishment, User
from . import services


class UploadForm(forms.Form):
    file = forms.FileField(label="File", help_text="A CSV (comma-separated, UTF-8) or Excel (.xlsx) file with the columns below.")
    establishment = forms.CharField(
        label="Only for one school (optional)", required=False, max_length=7,
        help_text="A SEED code: every row must then be for this school.",
    )
    dry_run = forms.BooleanField(label="Check only: validate and count the changes, write nothing", required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        name = (f.name or "").lower()
        if not name.endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError("The file must be a CSV (.csv) or Excel (.xlsx) file.")
        if f.size > services.max_file_bytes():
            raise forms.ValidationError(f"The file is larger than {services.max_file_bytes() // 1_000_000} MB: split it into parts.")
        if f.size == 0:
            raise forms.ValidationError("The file is empty.")
        return f

    def clean_establishment(self) -> Establishment | None:
        seed = self.cleaned_data["establishment"].strip()
        if not seed:
            return None
        est = Establishment.objects.select_related("authority").filter(seed_code=seed).first()
        if est is None or not can_import_for(self.user, est):
            raise forms.ValidationError("Enter the SEED code of a school you may import for.")
        return est

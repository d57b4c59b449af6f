"""The workspace's forms: fields on the design system; the rules themselves are in services.py."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from .models import ActionStatus
from .selectors import measure_options, workspace_people
from .subject import Owner, subject_of

TEXT = {"class": "ds_input"}
DATE = {"class": "ds_input  ds_input--fixed-10", "type": "date"}


def _people(p: Owner) -> list[tuple[str, str]]:
    return [("", "Choose a person")] + [
        (str(u.pk), f"{u.get_full_name() or u.email} ({est.name})") for u, est in workspace_people(p)
    ]


class WorkspaceForm(forms.Form):
    """A form of one partnership's workspace (choices of people and measures are its own)."""

    # What to say when a field is left empty (Django's "This field is required." names nothing).
    REQUIRED: dict[str, str] = {
        "purpose": "Enter the purpose of the partnership.",
        "aims": "Enter the aims.",
        "lead": "Choose who leads.",
        "responsibility": "Enter what they lead on.",
        "title": "Enter a title.",
        "owner": "Choose who owns the action.",
        "due_on": "Enter the date the action is due.",
        "held_on": "Enter the date of the meeting.",
        "notes": "Enter the notes.",
        "file": "Choose a file to share.",
        "measures": "Choose at least one measure.",
    }

    def __init__(self, *args: Any, partnership: Owner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        for name, field in self.fields.items():
            if name in self.REQUIRED:
                field.error_messages["required"] = self.REQUIRED[name]
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = "Enter a real date, for example 27 March 2027."


class AimsForm(WorkspaceForm):
    purpose = forms.CharField(
        label="Purpose of the partnership",
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        help_text="What the two schools agreed to work on together, in a sentence or two.",
    )
    aims = forms.CharField(
        label="Aims",
        max_length=4000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 6}),
        help_text="What you want to change, and how you will know. Up to 4,000 characters.",
    )


class LeadForm(WorkspaceForm):
    lead = forms.TypedChoiceField(label="Lead", coerce=int, widget=forms.Select(attrs={"class": "ds_select"}))
    responsibility = forms.CharField(
        label="Leads on",
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
        help_text="For example: the action plan, data analysis, S4 curriculum.",
    )

    def __init__(self, *args: Any, partnership: Owner, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)
        cast(forms.ChoiceField, self.fields["lead"]).choices = _people(partnership)


class ActionForm(WorkspaceForm):
    REQUIRED = {**WorkspaceForm.REQUIRED, "title": "Enter what the action is."}
    title = forms.CharField(label="Action", max_length=200, widget=forms.TextInput(attrs=TEXT))
    owner = forms.TypedChoiceField(
        label="Owner",
        coerce=int,
        widget=forms.Select(attrs={"class": "ds_select"}),
        help_text="A member of staff of either school.",
    )
    due_on = forms.DateField(label="Due by", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    status = forms.ChoiceField(
        label="Status", choices=ActionStatus.choices, widget=forms.Select(attrs={"class": "ds_select"})
    )
    evidence_url = forms.URLField(
        label="Link to evidence (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs=TEXT),
        help_text="The address of a document, a dashboard view or a shared file.",
    )

    def __init__(self, *args: Any, partnership: Owner, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)
        cast(forms.ChoiceField, self.fields["owner"]).choices = _people(partnership)
        if subject_of(partnership).is_group:
            self.fields["owner"].help_text = "A member of staff of one of the group's schools."


class NoteForm(WorkspaceForm):
    held_on = forms.DateField(label="Date of the meeting", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    title = forms.CharField(label="Title", max_length=200, widget=forms.TextInput(attrs=TEXT))
    notes = forms.CharField(
        label="Notes",
        max_length=10000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 8}),
        help_text="Decisions and who does what. Do not include personal details of young people.",
    )


class FileForm(WorkspaceForm):
    file = forms.FileField(
        label="File",
        widget=forms.ClearableFileInput(attrs={"class": "ds_file-upload"}),
        help_text="PDF, Word, Excel, PowerPoint, OpenDocument, CSV, text, PNG or JPEG. "
        "Do not share files with personal details of young people.",
    )


class MeasuresForm(WorkspaceForm):
    measures = forms.MultipleChoiceField(label="Measures", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, partnership: Owner, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)
        self.options = measure_options(partnership)
        self.chosen = [label for _, label, is_chosen in self.options if is_chosen]
        cast(forms.ChoiceField, self.fields["measures"]).choices = [
            (k, lbl) for k, lbl, chosen in self.options if not chosen
        ]

"""Forms of the destinations pages. Choices that name people or places are given per request
from scoped selectors, so a foreign id is simply not a valid choice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone

from datahub.models import Establishment, User

from .classification import Category, ParticipationStatus
from .models import ContactMethod, ContactOutcome, DestinationKind
from .selectors import CASELOAD_MAX_AGE, CASELOAD_STATUSES, CaseloadFilters

YES_NO_ANY = [("", "Any"), ("yes", "Yes"), ("no", "No")]
REASON_HELP = "Kept in the audit log with the change. Do not include other young people's details."


def _person(u: User) -> str:
    return u.get_full_name() or u.email


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CaseloadFilterForm(forms.Form):
    q = forms.CharField(label="Name or Scottish Candidate Number", required=False, max_length=100)
    school = forms.TypedChoiceField(label="School", required=False, coerce=int, empty_value=None)
    leaver_year = forms.TypedChoiceField(label="Year of leaving", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("", "Any open status"), *CASELOAD_STATUSES.items()])
    age = forms.TypedChoiceField(label="Age", required=False, coerce=int, empty_value=None,
                                 choices=[("", "Any")] + [(a, str(a)) for a in range(15, CASELOAD_MAX_AGE + 1)])
    asn = forms.ChoiceField(label="Additional support needs", required=False, choices=YES_NO_ANY)
    care_experienced = forms.ChoiceField(label="Care experienced", required=False, choices=YES_NO_ANY)
    officer = forms.ChoiceField(label="Assigned officer", required=False)
    overdue = forms.BooleanField(label="Only overdue next actions", required=False)

    def __init__(self, *args: Any, schools: list[Establishment], years: list[int], officers: list[User],
                 me: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "All schools")] + [(s.pk, s.name) for s in schools]  # type: ignore[attr-defined]
        self.fields["leaver_year"].choices = [("", "All years")] + [  # type: ignore[attr-defined]
            (y, f"{y - 1}/{str(y)[2:]}") for y in years
        ]
        # The signed-in officer is "Me", not listed a second time by name (a link with their own
        # id, from before, still means them).
        if me is not None and isinstance(self.data, QueryDict) and self.data.get("officer") == str(me):
            data = self.data.copy()
            data["officer"] = "me"
            self.data = data
        self.fields["officer"].choices = [("", "Anyone or nobody"), ("me", "Me"), ("none", "Nobody (unassigned)")] + [  # type: ignore[attr-defined]
            (str(u.pk), _person(u)) for u in officers if u.pk != me
        ]

    def filters(self) -> CaseloadFilters:
        """The valid filters (an invalid field is left out and reported by the form)."""
        data = self.cleaned_data if self.is_bound else {}
        return CaseloadFilters(
            q=data.get("q") or "",
            school=data.get("school"),
            leaver_year=data.get("leaver_year"),
            status=data.get("status") or "",
            age=data.get("age"),
            asn=_yes_no(data.get("asn") or ""),
            care_experienced=_yes_no(data.get("care_experienced") or ""),
            officer=data.get("officer") or "",
            overdue=bool(data.get("overdue")),
        )

    def full_clean(self) -> None:
        super().full_clean()
        # Keep the fields that are valid: a stale or foreign value in one filter must not empty
        # the others (the error is still shown).
        if self.is_bound and self.errors:
            for name in self.errors:
                self.cleaned_data.pop(name, None)


class BulkForm(forms.Form):
    """The caseload's bulk actions. The selected young people (``leavers``, ids) are read by the
    view: every one must be inside the officer's authorities or the whole batch is refused."""

    ACTIONS = [("assign", "Assign"), ("status", "Update status")]
    action = forms.ChoiceField(choices=ACTIONS)
    officer = forms.ChoiceField(label="Assign to", required=False)
    kind = forms.ChoiceField(label="What to update", required=False, choices=[
        ("", "Choose"),
        (DestinationKind.INITIAL, "Initial destination"),
        (DestinationKind.FOLLOW_UP, "Follow-up destination"),
        ("participation", "Participation status (from a date)"),
    ])
    category = forms.ChoiceField(label="Destination", required=False, choices=[("", "Choose"), *Category.choices])
    participation_status = forms.ChoiceField(label="Participation status", required=False,
                                             choices=[("", "Choose"), *ParticipationStatus.choices])
    start_date = forms.DateField(label="Participation status starts on", required=False, widget=DateInput())
    reason = forms.CharField(label="Reason for the change", max_length=500, help_text=REASON_HELP)

    def __init__(self, *args: Any, officers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [("", "Choose"), ("none", "Nobody (unassign)")] + [  # type: ignore[attr-defined]
            (str(u.pk), _person(u)) for u in officers
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "assign" and not data.get("officer"):
            self.add_error("officer", "Choose who to assign the young people to.")
        if data.get("action") == "status":
            kind = data.get("kind")
            if not kind:
                self.add_error("kind", "Choose what to update.")
            elif kind == "participation":
                if not data.get("participation_status"):
                    self.add_error("participation_status", "Choose a participation status.")
                if not data.get("start_date"):
                    self.add_error("start_date", "Give the date the status starts.")
            elif not data.get("category"):
                self.add_error("category", "Choose a destination.")
        return data


class ContactForm(forms.Form):
    contact_date = forms.DateField(label="Date of the contact", widget=DateInput())
    method = forms.ChoiceField(label="How", choices=ContactMethod.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(label="Outcome", choices=[("", "Choose"), *ContactOutcome.choices])
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=5000,
                           help_text="What happened and what was agreed. Facts only: the young person can ask to "
                                     "see what is recorded about them.")
    next_action = forms.CharField(label="Next action", required=False, max_length=200,
                                  help_text="For example: phone again, meet at the college, send a referral.")
    next_action_date = forms.DateField(label="Next action due by", required=False, widget=DateInput())

    def clean_contact_date(self) -> dt.date:
        d = self.cleaned_data["contact_date"]
        if d > timezone.localdate():
            raise forms.ValidationError("The date of a contact cannot be in the future.")
        return d

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("next_action_date") and not (data.get("next_action") or "").strip():
            self.add_error("next_action", "Say what the next action is.")
        return data


class DestinationForm(forms.Form):
    kind = forms.ChoiceField(label="Which destination", choices=DestinationKind.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(label="Destination", choices=[("", "Choose"), *Category.choices])
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
                           help_text="For example the college and course, or the employer. Kept with the record.")
    # Not required by the field (a first record needs no reason), but required when the record
    # replaces an earlier one: the label says so rather than "(optional)" (templates/destinations/_field.html).
    reason = forms.CharField(label="Reason for the change (needed when this replaces an earlier record)",
                             required=False, max_length=500,
                             help_text="For example 'confirmed by phone'. Leave it empty for a first record.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].conditional = True  # type: ignore[attr-defined]  # its label says when it is needed


class ParticipationForm(forms.Form):
    status = forms.ChoiceField(label="Participation status", choices=[("", "Choose"), *ParticipationStatus.choices])
    start_date = forms.DateField(label="Status starts on", widget=DateInput())
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

    def __init__(self, *args: Any, latest_start: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.latest_start = latest_start

    def clean_start_date(self) -> dt.date:
        d = self.cleaned_data["start_date"]
        if self.latest_start is not None and d <= self.latest_start:
            raise forms.ValidationError(
                f"The current status started on {self.latest_start:%d/%m/%Y}: a new status must start after it."
            )
        return d


class AssignmentForm(forms.Form):
    officer = forms.ChoiceField(label="Assigned officer", required=False)
    next_action = forms.CharField(label="Next action", required=False, max_length=200)
    next_action_date = forms.DateField(label="Next action due by", required=False, widget=DateInput())
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=500)

    def __init__(self, *args: Any, officers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = {str(u.pk): u for u in officers}
        self.fields["officer"].choices = [("", "Nobody (unassigned)")] + [  # type: ignore[attr-defined]
            (str(u.pk), _person(u)) for u in officers
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("next_action_date") and not (data.get("next_action") or "").strip():
            self.add_error("next_action", "Say what the next action is.")
        return data

    def officer_user(self) -> User | None:
        return self.officers.get(self.cleaned_data.get("officer") or "")


class ExportForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need this export?", max_length=500, min_length=10,
        help_text="Kept in the audit log with the export, for example 'monthly partnership meeting with the "
                  "college'. At least 10 characters.",
    )


class AuditFilterForm(forms.Form):
    authority = forms.TypedChoiceField(label="Local authority", required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label="Action", required=False)
    actor = forms.CharField(label="Who (email contains)", required=False, max_length=100)
    learner = forms.IntegerField(label="Young person (record number)", required=False, min_value=1)
    date_from = forms.DateField(label="From", required=False, widget=DateInput())
    date_to = forms.DateField(label="To", required=False, widget=DateInput())

    def __init__(self, *args: Any, authorities: list, actions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].choices = [("", "All of mine")] + [(a.pk, a.name) for a in authorities]  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", "Any action"), *actions]  # type: ignore[attr-defined]

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and self.errors:
            for name in self.errors:
                self.cleaned_data.pop(name, None)

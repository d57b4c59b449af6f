"""Forms of the pathway pages. People and schools offered as choices come from scoped selectors,
so a foreign id is simply not a valid choice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from datahub.models import SENIOR_PHASE, User

from ..classification import Category
from ..forms import DateInput, ExportForm
from .models import OfferKind, OfferStatus, PathwayKind, PathwayRecord
from .risk import MAX_WEIGHT, RULES
from .selectors import BoardFilters

__all__ = ["BoardFilterForm", "ExportForm", "KeyWorkerBulkForm", "OfferForm", "OfferStatusForm", "PathwayForm",
           "RiskWeightsForm"]

STAGES = [(s.value, s.label) for s in SENIOR_PHASE]


def _person(u: User) -> str:
    return u.get_full_name() or u.email


class PathwayForm(forms.Form):
    aspiration = forms.CharField(label="Career aspiration", required=False, max_length=200,
                                 help_text="In the pupil's words, for example 'nursing' or 'joiner'.")
    intended_category = forms.ChoiceField(label="Intended destination", required=False,
                                          choices=[("", "Not known yet"), *Category.choices])
    intended_stage = forms.ChoiceField(label="Intends to leave in", required=False,
                                       choices=[("", "Not known yet"), *STAGES])
    intended_date = forms.DateField(label="Intended leaving date", required=False, widget=DateInput(),
                                    help_text="If the pupil means to leave before the end of a session (winter leaver).")
    pathway = forms.ChoiceField(label="Learning pathway beyond school courses", choices=PathwayKind.choices,
                                initial=PathwayKind.NONE)
    pathway_detail = forms.CharField(label="Pathway course or placement", required=False, max_length=200)
    pathway_provider = forms.CharField(label="Pathway provider", required=False, max_length=200,
                                       help_text="The college, employer or training provider.")
    key_worker = forms.TypedChoiceField(label="Key worker", required=False, coerce=int, empty_value=None)
    note = forms.CharField(label="Notes", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    next_action = forms.CharField(label="Next action", required=False, max_length=200,
                                  help_text="What is to be done next, for example 'help with the college application'.")
    next_action_due = forms.DateField(label="Next action due by", required=False, widget=DateInput())
    next_action_owner = forms.TypedChoiceField(label="Who does it", required=False, coerce=int, empty_value=None,
                                               help_text="Left empty: the key worker.")
    next_action_done = forms.BooleanField(label="The next action is done", required=False)

    def __init__(self, *args: Any, key_workers: list[User], current: PathwayRecord | None = None,
                 **kwargs: Any) -> None:
        if current is not None:  # the form opens on the current pathway
            kwargs["initial"] = {**kwargs.get("initial", {}),
                "aspiration": current.aspiration, "intended_category": current.intended_category,
                "intended_stage": current.intended_stage, "intended_date": current.intended_date,
                "pathway": current.pathway, "pathway_detail": current.pathway_detail,
                "pathway_provider": current.pathway_provider, "key_worker": current.key_worker_id,
                "note": current.note, "next_action": current.next_action, "next_action_due": current.next_action_due,
                "next_action_owner": current.next_action_owner_id, "next_action_done": current.next_action_done,
            }
        super().__init__(*args, **kwargs)
        self.key_workers = {u.pk: u for u in key_workers}
        self.fields["key_worker"].choices = [("", "Nobody yet")] + [(u.pk, _person(u)) for u in key_workers]  # type: ignore[attr-defined]
        self.fields["next_action_owner"].choices = [("", "The key worker")] + [  # type: ignore[attr-defined]
            (u.pk, _person(u)) for u in key_workers]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("pathway") not in (None, "", PathwayKind.NONE) and not data.get("pathway_provider", "").strip():
            self.add_error("pathway_provider", "Name the provider of the learning pathway")
        chosen = data.get("key_worker")
        data["key_worker"] = self.key_workers.get(chosen) if isinstance(chosen, int) else None
        owner = data.get("next_action_owner")
        data["next_action_owner"] = self.key_workers.get(owner) if isinstance(owner, int) else None
        if (data.get("next_action") or "").strip():
            if not data.get("next_action_due") and "next_action_due" not in self.errors:
                self.add_error("next_action_due", "Give the date the next action is due")
            data["next_action_owner"] = data["next_action_owner"] or data["key_worker"]
        elif data.get("next_action_due") or data["next_action_owner"] or data.get("next_action_done"):
            self.add_error("next_action", "Say what the next action is, or leave its date, owner and done empty")
        return data


class OfferForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=OfferKind.choices)
    provider = forms.CharField(label="Provider", max_length=200,
                               help_text="The college, university, employer or training provider.")
    course = forms.CharField(label="Course, programme or job", required=False, max_length=200)
    status = forms.ChoiceField(label="Status", choices=OfferStatus.choices, initial=OfferStatus.APPLIED)
    status_date = forms.DateField(label="Date of this status", widget=DateInput())
    applied_on = forms.DateField(label="Date applied", required=False, widget=DateInput(),
                                 help_text="Leave empty when the status is 'Applied': the date above is used.")

    def clean_status_date(self) -> Any:
        value = self.cleaned_data["status_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return value


class OfferStatusForm(forms.Form):
    status = forms.ChoiceField(label="New status", choices=OfferStatus.choices)
    status_date = forms.DateField(label="Date of the new status", widget=DateInput())
    note = forms.CharField(label="Note", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class RiskWeightsForm(forms.Form):
    """One whole-number weight per risk rule (0 turns it off), and the reason for the change."""

    reason = forms.CharField(label="Reason for the change", max_length=500,
                             help_text="Kept with the weights and in the audit log.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields.pop("reason")
        for key, label in RULES.items():
            self.fields[key] = forms.IntegerField(label=label, min_value=0, max_value=MAX_WEIGHT)
        self.fields["reason"] = reason

    def weights(self) -> dict[str, int]:
        return {k: self.cleaned_data[k] for k in RULES}


class KeyWorkerBulkForm(forms.Form):
    """The board's bulk action: one key worker for the selected pupils (ids read by the view)."""

    key_worker = forms.ChoiceField(label="New key worker")
    reason = forms.CharField(label="Reason for the change", max_length=500,
                             help_text="Kept in the audit log with the change.")

    def __init__(self, *args: Any, key_workers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_workers = {str(u.pk): u for u in key_workers}
        self.fields["key_worker"].choices = [("", "Choose"), ("none", "Nobody")] + [  # type: ignore[attr-defined]
            (str(u.pk), _person(u)) for u in key_workers
        ]

    def chosen(self) -> User | None:
        return self.key_workers.get(self.cleaned_data["key_worker"])


class BoardFilterForm(forms.Form):
    who = forms.ChoiceField(label="Pupils", required=False, choices=[
        ("expected", "Expected to leave this session"), ("all", "Every S4 to S6 pupil")])
    school = forms.TypedChoiceField(label="School", required=False, coerce=int, empty_value=None)
    stage = forms.ChoiceField(label="Stage", required=False, choices=[("", "Any"), *STAGES])
    risk = forms.ChoiceField(label="Risk of a negative destination", required=False, choices=[
        ("", "Any"), ("high", "High (at risk)"), ("medium", "Medium"), ("low", "Low")])
    offer = forms.ChoiceField(label="Accepted offer", required=False, choices=[("", "Any"), ("yes", "Yes"), ("no", "No")])
    key_worker = forms.ChoiceField(label="Key worker", required=False)
    action = forms.ChoiceField(label="Next action", required=False, choices=[("", "Any"), ("overdue", "Overdue")])
    q = forms.CharField(label="Name", required=False, max_length=100)

    def __init__(self, *args: Any, schools: list[tuple[int, str]], key_workers: list[User], me: int | None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "All schools"), *schools]  # type: ignore[attr-defined]
        self.fields["key_worker"].choices = [("", "Anyone"), ("me", "Me"), ("none", "Nobody")] + [  # type: ignore[attr-defined]
            (str(u.pk), _person(u)) for u in key_workers if u.pk != me
        ]

    def filters(self) -> BoardFilters:
        if not self.is_bound or not self.is_valid():
            return BoardFilters()
        d = self.cleaned_data
        return BoardFilters(who=d.get("who") or "expected", school=d.get("school"), stage=d.get("stage") or "",
                            risk=d.get("risk") or "", offer=d.get("offer") or "", key_worker=d.get("key_worker") or "",
                            q=(d.get("q") or "").strip(), action=d.get("action") or "")

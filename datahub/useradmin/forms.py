"""Forms for user administration: a role at a place, an invitation, a revocation."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from ..access import UserAdminScope
from ..models import AUTHORITY_ROLES, ESTABLISHMENT_ROLES, Establishment, LocalAuthority, PartnerOrganisation, Role
from .selectors import authorities_in, establishments_in, partner_organisations_in

NATIONAL = "national"


def _role_choices(scope: UserAdminScope) -> list[tuple[str, str]]:
    return [(r.value, r.label) for r in Role if scope.national or r != Role.USER_ADMIN]


def _place_choices(scope: UserAdminScope) -> list[Any]:
    choices: list[Any] = [("", "Choose a place")]
    if scope.national:
        choices.append((NATIONAL, "Scotland (a national role)"))
    choices.append(("Local authorities", [(f"authority:{a.id}", a.name) for a in authorities_in(scope)]))
    choices.append((
        "Schools",
        [(f"establishment:{e.id}", f"{e.name} ({e.seed_code}, {e.authority.name})") for e in establishments_in(scope)],
    ))
    partners = [(f"partner:{o.id}", o.name) for o in partner_organisations_in(scope)]
    if partners:
        choices.append(("Partner organisations", partners))
    return choices


class GrantForm(forms.Form):
    """A role and where it applies. The place must fit the role (the model's rule, said in words)."""

    role = forms.ChoiceField(label="Role", widget=forms.Select(attrs={"class": "ds_select"}))
    place = forms.ChoiceField(
        label="Where",
        widget=forms.Select(attrs={"class": "ds_select"}),
        help_text="School roles need a school; MCMC officers and analysts an authority; a national analyst "
        "Scotland; a data manager a school, an authority or Scotland; a user administrator an authority "
        "or Scotland; a partner organisation member their organisation (they see communities of practice only).",
    )

    def __init__(self, *args: Any, scope: UserAdminScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", "Choose a role"), *_role_choices(scope)]
        cast(forms.ChoiceField, self.fields["place"]).choices = _place_choices(scope)
        self.establishment: Establishment | None = None
        self.authority: LocalAuthority | None = None
        self.partner_organisation: PartnerOrganisation | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, place = data.get("role"), data.get("place")
        if not role or not place:
            return data
        if place.startswith("establishment:"):
            self.establishment = establishments_in(self.scope).filter(pk=place.split(":", 1)[1]).first()
        elif place.startswith("authority:"):
            self.authority = authorities_in(self.scope).filter(pk=place.split(":", 1)[1]).first()
        elif place.startswith("partner:"):
            self.partner_organisation = partner_organisations_in(self.scope).filter(pk=place.split(":", 1)[1]).first()
        role = Role(role)
        needs = _place_rule(role)
        given = ("establishment" if self.establishment else "authority" if self.authority
                 else "partner" if self.partner_organisation else "national")
        if given not in needs:
            self.add_error("place", f"A {role.label.lower()} needs {_say(needs)}.")
        return data


def _place_rule(role: Role) -> set[str]:
    if role == Role.PARTNER_MEMBER:
        return {"partner"}
    if role in ESTABLISHMENT_ROLES:
        return {"establishment"}
    if role in AUTHORITY_ROLES:
        return {"authority"}
    if role == Role.NATIONAL_ANALYST:
        return {"national"}
    if role == Role.USER_ADMIN:
        return {"authority", "national"}
    return {"establishment", "authority", "national"}


def _say(places: set[str]) -> str:
    words = {"establishment": "a school", "authority": "a local authority", "national": "Scotland",
             "partner": "a partner organisation"}
    return " or ".join(words[p] for p in ("establishment", "authority", "national", "partner") if p in places)


class InviteForm(GrantForm):
    """A new person: their name, e-mail address and first role."""

    email = forms.EmailField(
        label="E-mail address", help_text="Their work address: the invitation goes there.",
        widget=forms.EmailInput(attrs={"class": "ds_input", "autocomplete": "off", "spellcheck": "false"}),
    )
    first_name = forms.CharField(label="First name", max_length=150, widget=forms.TextInput(attrs={"class": "ds_input"}))
    last_name = forms.CharField(label="Last name", max_length=150, widget=forms.TextInput(attrs={"class": "ds_input"}))
    field_order = ["first_name", "last_name", "email", "role", "place"]


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why is this role being revoked?",
        help_text="Kept in the audit log and sent to the person.",
        widget=forms.Textarea(attrs={"rows": 3, "class": "ds_input"}),
        max_length=1000,
    )

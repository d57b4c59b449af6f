"""The demo logins: one user for every role, at the two named demo schools and their authority,
sharing one published password (never use demo data in production). On the fictional world the
named schools are Kelvinbank Academy and Morningside High School; on the real-schools world the seed
chooses a real Glasgow City and City of Edinburgh secondary (``real.choose_schools``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.contrib.auth.hashers import make_password

from datahub.models import Establishment, Membership, PartnerOrganisation, Role, User
from insight.demo.scales import DEMO_SCHOOL_1, DEMO_SCHOOL_2

DEMO_PASSWORD = "insight-demo-2026"  # shared by every demo login (never use demo data in production)
DEMO_EMAIL_DOMAIN = "demo.insight"


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    role: Role | None
    place: str | None  # "school1", "school2", "authority1", "partner1" or None (national / no membership)
    superuser: bool = False

    @property
    def role_label(self) -> str:
        return "Superuser (Django admin)" if self.superuser else str(self.role.label if self.role else "")

    def place_label(self, school1: str | None = None, school2: str | None = None, authority1: str | None = None) -> str:
        """Where the login works: the named schools as given ("name (authority)"), else the fictional ones."""
        return {
            "school1": school1 or f"{DEMO_SCHOOL_1[1]} ({DEMO_SCHOOL_1[0]})",
            "school2": school2 or f"{DEMO_SCHOOL_2[1]} ({DEMO_SCHOOL_2[0]})",
            "authority1": authority1 or DEMO_SCHOOL_1[0],
            "partner1": f"{partner_name(authority1 or DEMO_SCHOOL_1[0])} (a partner organisation, no learner records)",
        }.get(self.place or "", "Scotland" if self.role else "-")


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("headteacher@demo.insight", "Morag", "Campbell", Role.ESTABLISHMENT_ADMIN, "school1"),
    DemoUser("staff@demo.insight", "Callum", "Reid", Role.ESTABLISHMENT_STAFF, "school1"),
    DemoUser("headteacher2@demo.insight", "Fiona", "Mackenzie", Role.ESTABLISHMENT_ADMIN, "school2"),
    DemoUser("mcmc@demo.insight", "Iain", "Stewart", Role.MCMC_OFFICER, "authority1"),
    DemoUser("analyst@demo.insight", "Eilidh", "Robertson", Role.AUTHORITY_ANALYST, "authority1"),
    DemoUser("national@demo.insight", "Andrew", "Thomson", Role.NATIONAL_ANALYST, None),
    DemoUser("datamanager@demo.insight", "Catriona", "Fraser", Role.DATA_MANAGER, "authority1"),
    DemoUser("nationaldatamanager@demo.insight", "Euan", "MacLeod", Role.DATA_MANAGER, None),
    DemoUser("useradmin@demo.insight", "Graham", "Murray", Role.USER_ADMIN, "authority1"),
    DemoUser("nationaluseradmin@demo.insight", "Ailsa", "Ross", Role.USER_ADMIN, None),
    DemoUser("partner@demo.insight", "Kirsty", "Wallace", Role.PARTNER_MEMBER, "partner1"),
    DemoUser("admin@demo.insight", "Site", "Administrator", None, None, superuser=True),
)


def partner_name(authority: str) -> str:
    """The demo partner organisation: a college working in school 1's authority."""
    return f"{authority} College"


def demo_places() -> dict[str, str]:
    """The named schools of the demo data in the database ("name (authority)" by place), read from
    the demo head teachers' memberships: on the real-schools world the seed chooses them."""
    places: dict[str, str] = {}
    for email, place in (("headteacher@demo.insight", "school1"), ("headteacher2@demo.insight", "school2")):
        est = (Establishment.objects.filter(memberships__user__email=email, memberships__role=Role.ESTABLISHMENT_ADMIN)
               .select_related("authority").first())
        if est is not None:
            places[place] = f"{est.name} ({est.authority.name})"
            if place == "school1":
                places["authority1"] = est.authority.name
    return places


def demo_logins(places: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The demo logins as rows (email, role, place, password): for the README and ``make run``.
    ``places`` (from :func:`demo_places`) names the schools; by default the fictional world's."""
    places = places or {}
    return [
        {"email": u.email, "role": u.role_label, "place": u.place_label(**places), "password": DEMO_PASSWORD}
        for u in DEMO_USERS
    ]


def format_logins(places: dict[str, str] | None = None) -> str:
    """The demo logins as a plain-text table."""
    rows = [("Email", "Role", "Place", "Password")] + [
        (r["email"], r["role"], r["place"], r["password"]) for r in demo_logins(places)
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # One hash for every demo user: hashing is deliberately slow, and these share one password.
    return make_password(DEMO_PASSWORD)


def create_users(school1: Establishment, school2: Establishment) -> list[User]:
    """The demo users and their memberships at the two named schools and school 1's authority."""
    users = []
    for spec in DEMO_USERS:
        user = User.objects.create(
            email=spec.email, first_name=spec.first_name, last_name=spec.last_name, password=_password_hash(),
            is_staff=spec.superuser, is_superuser=spec.superuser,
        )
        if spec.role is not None:
            place: dict[str, Any] = {}
            if spec.place == "school1":
                place["establishment"] = school1
            elif spec.place == "school2":
                place["establishment"] = school2
            elif spec.place == "authority1":
                place["authority"] = school1.authority
            elif spec.place == "partner1":
                place["partner_organisation"], _ = PartnerOrganisation.objects.get_or_create(
                    name=partner_name(school1.authority.name), defaults={"authority": school1.authority})
            Membership.objects.create(user=user, role=spec.role, **place)
        users.append(user)
    return users

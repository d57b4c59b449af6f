"""The demo logins: one for every role, all with the shared published password."""

from __future__ import annotations

from pathlib import Path

import pytest

from datahub.models import Membership, Role, User
from insight.demo import DEMO_PASSWORD, DEMO_SCHOOL_1, DEMO_USERS, demo_logins, generate_demo_data


@pytest.mark.django_db
def test_every_role_has_a_demo_login_with_the_shared_password() -> None:
    generate_demo_data(scale="tiny", seed=3, years=1)
    demo_users = User.objects.filter(email__endswith="@demo.insight")
    assert demo_users.count() == len(DEMO_USERS)
    roles = set(Membership.objects.filter(user__in=demo_users).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.get(email="admin@demo.insight").is_superuser
    assert all(u.check_password(DEMO_PASSWORD) for u in demo_users)
    head = Membership.objects.get(user__email="headteacher@demo.insight")
    head2 = Membership.objects.get(user__email="headteacher2@demo.insight")
    assert head.establishment is not None and head2.establishment is not None
    assert head.role == Role.ESTABLISHMENT_ADMIN and head.establishment.name == DEMO_SCHOOL_1[1]
    assert head2.establishment.authority != head.establishment.authority
    assert Membership.objects.get(user__email="mcmc@demo.insight").authority == head.establishment.authority
    assert {row["email"] for row in demo_logins()} == {u.email for u in DEMO_USERS}


def test_the_readme_lists_every_demo_login_with_its_role_and_place() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    rows = {cells[0]: cells[1:] for line in readme.splitlines() if line.startswith("| ") and "@demo.insight" in line
            for cells in [[c.strip() for c in line.strip("|").split("|")]]}
    assert set(rows) == {u.email for u in DEMO_USERS}
    for u in DEMO_USERS:
        role, place = rows[u.email]
        assert u.role_label.startswith(role), u.email
        # The README names the two login schools "school 1" / "school 2" (which ones depends on the world).
        assert place == u.place_label(school1="school 1", school2="school 2"), u.email

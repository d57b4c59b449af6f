"""View Partnerships and the action pages: who sees what, who may act, 404 / 403 / 409."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from partnerships import services
from partnerships.models import Notification, Partnership, PartnershipEvent, Status
from tests.worlds import client_for

pytestmark = pytest.mark.django_db

LIST = "/partnerships/"


def text(resp: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", resp.content.decode()))


def test_url_names() -> None:
    assert reverse("partnerships:list") == LIST
    assert reverse("partnerships:accept", args=[7]) == "/partnerships/7/accept/"


def test_the_three_tables(world: Any, proposed: Partnership, foreign: Partnership) -> None:
    html_b = client_for(world.personas["admin_b"]).get(LIST)
    assert html_b.status_code == 200
    body = html_b.content.decode()
    received = body[body.index('id="received"'):body.index("</table>", body.index('id="received"'))]
    assert "Alpha High School" in received and world.school_a.seed_code in received and "Aberdeen City" in received
    assert "Alpha Two Academy" in received
    assert reverse("partnerships:accept", args=[proposed.pk]) in received
    assert reverse("partnerships:decline", args=[proposed.pk]) in received
    assert reverse("insight:establishment_dashboard", kwargs={"seed": world.school_a.seed_code}) in received
    assert "No school has proposed" not in body
    assert "Your school has no learning partners yet" in body
    # A sees its own proposal under requests sent, with withdraw; never B's proposal from A2.
    body_a = client_for(world.personas["admin_a"]).get(LIST).content.decode()
    sent = body_a[body_a.index('id="sent"'):body_a.index("</table>", body_a.index('id="sent"'))]
    assert "Bravo Secondary" in sent and reverse("partnerships:withdraw", args=[proposed.pk]) in sent
    assert "Alpha Two Academy" not in body_a
    assert reverse("partnerships:detail", args=[foreign.pk]) not in body_a

    services.partnership_accept(partnership=proposed, by=world.personas["admin_b"], acting_for=world.school_b)
    body_a = client_for(world.personas["admin_a"]).get(LIST).content.decode()
    existing = body_a[body_a.index('id="active"'):body_a.index("</table>", body_a.index('id="active"'))]
    assert "Bravo Secondary" in existing and reverse("partnerships:end", args=[proposed.pk]) in existing


def test_staff_see_the_tables_but_no_actions(world: Any, proposed: Partnership) -> None:
    resp = client_for(world.personas["staff_b"]).get(LIST)
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "Alpha High School" in body
    for action in ("accept", "decline", "withdraw", "end"):
        assert reverse(f"partnerships:{action}", args=[proposed.pk]) not in body
    assert "Only its Learning Partner Administrator" in body


@pytest.mark.parametrize("persona", ["mcmc_x", "analyst_x", "national", "dm_a", "dm_x", "no_role"])
def test_view_partnerships_is_for_school_staff(world: Any, persona: str) -> None:
    assert client_for(world.personas[persona]).get(LIST).status_code == 403


def test_anonymous_is_sent_to_sign_in(world: Any, proposed: Partnership) -> None:
    for url in (LIST, reverse("partnerships:detail", args=[proposed.pk]), reverse("partnerships:propose")):
        resp = Client().get(url)
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    resp = Client().post(reverse("partnerships:accept", args=[proposed.pk]))
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    proposed.refresh_from_db()
    assert proposed.status == Status.PROPOSED


def test_notifications_are_shown_and_marked_read(world: Any, proposed: Partnership) -> None:
    c = client_for(world.personas["admin_b"])
    assert "Alpha High School (" in text(c.get(LIST)) and "Mark as read" in text(c.get(LIST))
    n = Notification.objects.get(recipient=world.personas["admin_b"])
    resp = c.post(reverse("partnerships:notifications_read"), {"notification": [n.pk]})
    assert resp.status_code == 302
    n.refresh_from_db()
    assert n.read_at is not None
    assert "Mark as read" not in text(c.get(LIST))


def test_marking_someone_elses_notifications_changes_nothing(world: Any, proposed: Partnership) -> None:
    n = Notification.objects.get(recipient=world.personas["admin_b"])
    resp = client_for(world.personas["admin_a"]).post(reverse("partnerships:notifications_read"),
                                                      {"notification": [n.pk]})
    assert resp.status_code == 302
    n.refresh_from_db()
    assert n.read_at is None


# --- propose -------------------------------------------------------------------------------------


def test_admin_proposes_through_the_confirmation_page(world: Any) -> None:
    c = client_for(world.personas["admin_a"])
    url = reverse("partnerships:propose")
    page = c.get(url, {"partner": world.school_b.seed_code, "next": "/insight/find-partners/?page=2"})
    assert page.status_code == 200
    assert "Propose a learning partnership" in text(page) and "Bravo Secondary" in text(page)
    resp = c.post(url, {"partner": world.school_b.seed_code, "message": "Hello from Alpha",
                        "next": "/insight/find-partners/?page=2"})
    assert resp.status_code == 302 and resp["Location"] == "/insight/find-partners/?page=2"
    p = Partnership.objects.get()
    assert (p.proposer, p.partner, p.status) == (world.school_a, world.school_b, Status.PROPOSED)
    assert p.events.get().message == "Hello from Alpha"


def test_propose_ignores_an_offsite_next(world: Any) -> None:
    resp = client_for(world.personas["admin_a"]).post(
        reverse("partnerships:propose"), {"partner": world.school_b.seed_code, "next": "https://evil.example/"}
    )
    assert resp.status_code == 302 and resp["Location"] == LIST


@pytest.mark.parametrize("persona", ["staff_a", "staff_b"])
def test_staff_cannot_propose(world: Any, persona: str) -> None:
    other = world.school_b if persona == "staff_a" else world.school_a
    c = client_for(world.personas[persona])
    assert c.get(reverse("partnerships:propose"), {"partner": other.seed_code}).status_code == 403
    assert c.post(reverse("partnerships:propose"), {"partner": other.seed_code}).status_code == 403
    assert not Partnership.objects.exists()


@pytest.mark.parametrize("persona", ["analyst_x", "mcmc_y", "national", "dm_a", "no_role"])
def test_people_without_a_school_role_cannot_propose(world: Any, persona: str) -> None:
    resp = client_for(world.personas[persona]).post(reverse("partnerships:propose"),
                                                    {"partner": world.school_b.seed_code})
    assert resp.status_code == 403
    assert not Partnership.objects.exists()


def test_proposing_to_an_unknown_school_is_404_and_to_yourself_400(world: Any) -> None:
    c = client_for(world.personas["admin_a"])
    assert c.post(reverse("partnerships:propose"), {"partner": "9999999"}).status_code == 404
    assert c.post(reverse("partnerships:propose"), {"partner": "not-a-seed"}).status_code == 404
    resp = c.post(reverse("partnerships:propose"), {"partner": world.school_a.seed_code})
    assert resp.status_code == 400
    assert "There is a problem" in text(resp)


def test_proposing_twice_is_409_with_the_reason(world: Any, proposed: Partnership) -> None:
    resp = client_for(world.personas["admin_b"]).post(reverse("partnerships:propose"),
                                                      {"partner": world.school_a.seed_code})
    assert resp.status_code == 409
    assert "accept or decline it" in text(resp)
    page = client_for(world.personas["admin_b"]).get(reverse("partnerships:propose"),
                                                     {"partner": world.school_a.seed_code})
    assert "you can accept it under Partnership requests received" in text(page)


# --- accept / decline / withdraw / end -----------------------------------------------------------------


@pytest.mark.parametrize(("action", "persona", "to"), [
    ("accept", "admin_b", Status.ACTIVE),
    ("decline", "admin_b", Status.DECLINED),
    ("withdraw", "admin_a", Status.WITHDRAWN),
])
def test_admins_act_through_the_confirmation_page(
    world: Any, proposed: Partnership, action: str, persona: str, to: str
) -> None:
    c = client_for(world.personas[persona])
    url = reverse(f"partnerships:{action}", args=[proposed.pk])
    assert c.get(url).status_code == 200
    resp = c.post(url, {"message": f"{action}ing"})
    assert resp.status_code == 302 and resp["Location"] == LIST
    proposed.refresh_from_db()
    assert proposed.status == to
    assert proposed.events.order_by("id").values_list("message", flat=True).last() == f"{action}ing"


def test_end_through_the_page(world: Any, proposed: Partnership) -> None:
    services.partnership_accept(partnership=proposed, by=world.personas["admin_b"], acting_for=world.school_b)
    resp = client_for(world.personas["admin_a"]).post(reverse("partnerships:end", args=[proposed.pk]))
    assert resp.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == Status.ENDED


@pytest.mark.parametrize("action", ["accept", "decline", "withdraw", "end"])
@pytest.mark.parametrize("persona", ["staff_a", "staff_b"])
def test_staff_get_403_on_every_action(world: Any, proposed: Partnership, action: str, persona: str) -> None:
    c = client_for(world.personas[persona])
    url = reverse(f"partnerships:{action}", args=[proposed.pk])
    assert c.get(url).status_code == 403
    assert c.post(url).status_code == 403
    assert PartnershipEvent.objects.filter(partnership=proposed).count() == 1


@pytest.mark.parametrize("action", ["accept", "decline", "withdraw", "end"])
@pytest.mark.parametrize("persona", ["admin_a", "staff_a", "analyst_x", "analyst_y", "mcmc_y", "national", "dm_x"])
def test_outsiders_get_404_on_another_schools_partnership(
    world: Any, foreign: Partnership, action: str, persona: str
) -> None:
    c = client_for(world.personas[persona])
    for url in (reverse(f"partnerships:{action}", args=[foreign.pk]), reverse("partnerships:detail", args=[foreign.pk])):
        assert c.get(url).status_code == 404
    assert c.post(reverse(f"partnerships:{action}", args=[foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.PROPOSED


def test_the_wrong_side_gets_403(world: Any, proposed: Partnership) -> None:
    a, b = client_for(world.personas["admin_a"]), client_for(world.personas["admin_b"])
    assert a.post(reverse("partnerships:accept", args=[proposed.pk])).status_code == 403
    assert a.post(reverse("partnerships:decline", args=[proposed.pk])).status_code == 403
    assert b.post(reverse("partnerships:withdraw", args=[proposed.pk])).status_code == 403
    proposed.refresh_from_db()
    assert proposed.status == Status.PROPOSED


def test_a_state_that_does_not_allow_the_action_is_409(world: Any, proposed: Partnership) -> None:
    b = client_for(world.personas["admin_b"])
    assert b.post(reverse("partnerships:accept", args=[proposed.pk])).status_code == 302
    again = b.post(reverse("partnerships:accept", args=[proposed.pk]))
    assert again.status_code == 409
    assert "already active" in text(again)
    assert b.post(reverse("partnerships:decline", args=[proposed.pk])).status_code == 409
    assert client_for(world.personas["admin_a"]).post(reverse("partnerships:withdraw", args=[proposed.pk])).status_code == 409
    # The confirmation page says so instead of offering the button.
    page = b.get(reverse("partnerships:accept", args=[proposed.pk]))
    assert page.status_code == 200 and "Nothing was changed" in text(page)
    assert "Accept partnership</button>" not in page.content.decode()


def test_unknown_id_is_404(world: Any) -> None:
    assert client_for(world.personas["admin_a"]).post(reverse("partnerships:accept", args=[999999])).status_code == 404


def test_history_shows_every_transition(world: Any, proposed: Partnership) -> None:
    services.partnership_decline(partnership=proposed, by=world.personas["admin_b"], acting_for=world.school_b,
                                 message="Maybe next year")
    for persona in ("admin_a", "staff_a", "admin_b", "staff_b"):
        resp = client_for(world.personas[persona]).get(reverse("partnerships:detail", args=[proposed.pk]))
        assert resp.status_code == 200
        t = text(resp)
        assert "Proposed" in t and "Declined" in t and "Shall we?" in t and "Maybe next year" in t
    for persona in ("analyst_x", "analyst_y", "national", "mcmc_x", "dm_a"):
        assert client_for(world.personas[persona]).get(
            reverse("partnerships:detail", args=[proposed.pk])).status_code == 404

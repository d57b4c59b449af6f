"""Communities of practice in a real browser (issue 15, item 2).

School B's member of staff starts a thread in a community that embeds B's lowest-20% tariff chart
by its dashboard address. B's staff see B's figures in the embedded table and chart; A's staff (a
member, but not entitled to B's figures) see ``c`` in the table and no figure in the chart's data;
a college's member sees "No access". axe finds no serious or critical violation, the thread
reflows at 320 CSS px, and the header stays on one line at 1280 px with Communities in it.
"""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any

import pytest

from partnerships.communities import services
from partnerships.communities.models import Post
from tests.e2e.checks import DESKTOP, NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in, sign_out
from tests.factories import PASSWORD
from tests.worlds import add_published_run

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PANEL = "m-avg-tariff-lowest20"


def school_cells(page: Page, table_id: str) -> list[str]:
    """The school's column (the second) of the embedded table, as shown."""
    rows = page.locator(f"#table-{table_id} tbody tr")
    return [rows.nth(i).locator("td").first.inner_text().strip() for i in range(rows.count())]


def chart_school_data(page: Page, post_pk: int) -> list[Any]:
    data = json.loads(page.locator(f"#embed-{post_pk}-data").text_content() or "{}")
    return next(s for s in data["series"] if s["role"] == "school")["data"]


def test_a_community_post_embeds_a_chart_shown_with_each_readers_entitlement(
    page: Page, live_server: Any, world: Any
) -> None:
    canaries = add_published_run(world)
    p = world.personas
    community = services.community_create(by=p["dm_x"], name="Senior phase leads")
    for who in ("staff_b", "staff_a", "partner"):
        services.community_member_add(by=p["dm_x"], community=community, email=p[who].email)

    # B's staff start a thread embedding B's chart, through the menu and the form.
    sign_in(page, live_server, p["staff_b"])
    page.goto(f"{live_server.url}/partnerships/communities/")
    page.get_by_role("link", name="Senior phase leads").click()
    page.get_by_role("link", name="Start a thread").click()
    page.get_by_label("Title").fill("How we raised the lowest 20%")
    page.get_by_label("Your post").fill("Our chart: <b>see below</b>")
    page.get_by_label("Embed a chart or table").fill(
        f"{live_server.url}/insight/establishments/{world.school_b.seed_code}/#{PANEL}"
    )
    page.get_by_role("button", name="Post").click()
    page.wait_for_url(re.compile(r"/threads/\d+/$"))
    post = Post.objects.get()
    table_id = f"post{post.pk}-{PANEL}"
    assert "<b>see below</b>" in page.locator(".portal-post__body").first.inner_text()  # shown as text
    assert any(c in page.locator(f"#table-{table_id}").inner_text() for c in canaries)
    assert any(v is not None for v in chart_school_data(page, post.pk))
    page.locator(f"figure[data-chart='embed-{post.pk}-data']").wait_for(state="visible")  # the chart is drawn
    assert_accessible(page, label="Community thread with an embed (entitled)")
    screenshot(page, "community-thread-entitled-1280")
    thread_url = page.url
    sign_out(page, live_server)

    # A's staff: the same post, B's figures withheld in the table and absent from the chart data.
    sign_in(page, live_server, p["staff_a"])
    items = page.get_by_role("navigation", name="Main").last.locator(":scope > ul > li")
    tops = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}  # type: ignore[index]
    assert len(tops) == 1, f"the header wraps at 1280 px: {tops}"
    page.goto(thread_url)
    cells = school_cells(page, table_id)
    assert "c" in cells
    assert not any(c in page.content() for c in canaries)
    for shown, value in zip(cells, chart_school_data(page, post.pk), strict=True):
        if shown == "c":
            assert value is None
    assert_accessible(page, label="Community thread with an embed (not entitled)")
    page.set_viewport_size(NARROW)
    assert_reflows(page, label="Community thread at 320px")
    assert_accessible(page, label="Community thread at 320px")
    screenshot(page, "community-thread-not-entitled-320")
    page.set_viewport_size(DESKTOP)
    sign_out(page, live_server)

    # The college's member: no access to the embedded view, and nothing of it.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email", exact=True).fill(p["partner"].email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/partnerships/communities/$"))
    page.goto(thread_url)
    assert "No access" in page.locator(".portal-embed").inner_text()
    assert page.locator(f"#table-{table_id}").count() == 0
    assert not any(c in page.content() for c in canaries)
    assert_accessible(page, label="Community thread, no access")

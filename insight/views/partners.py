"""Find Partners: schools of the same type ranked by closeness to the user's school.

The query, the ranking and the disclosure of every figure are insight.selectors.partners; the
CSV is insight.pages.partners. This view reads the page's parameters, pages the rows and builds
the links.

Who: establishment admins and staff, for the school they are working as ("Viewing as"), or for
the school named by ``?school=<SEED>`` when they hold a school role there (a shared link names it,
so the link shows the same school's list whatever the opener's active membership; a school the
opener holds no role at is not found, 404). Only admins see *Propose Partnership*, and only for
the school they are working as (a proposal is sent from the active membership). The CSV export
is written to the audit log and neutralises text cells that a spreadsheet would read as a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from datahub import disclosure
from datahub.access import can_act_for_establishment
from datahub.models import ESTABLISHMENT_ROLES, Establishment, LocalAuthority
from datahub.services import audit_event_create
from datahub.sharing import share_url
from datahub.views_base import PortalView
from partnerships.views import current_school

from ..models import RankingBasis
from ..pages.partners import write_csv
from ..selectors.partners import (
    ROLL_BANDS,
    SIMD_PROFILES,
    SORTS,
    FindPartnersResult,
    PartnerRow,
    explain,
    find_partners,
    sort_rows,
)

PAGE_SIZE = 25

TABS = {"closeness": "Insight closeness", "performance": "National benchmarking performance"}


def _sentence_case(label: str) -> str:
    return label[:1].lower() + label[1:]


class FindPartnersView(PortalView, TemplateView):
    """Find Partners for the school the user is working as. Admins and staff of a school."""

    template_name = "insight/find_partners.html"
    required_roles = ESTABLISHMENT_ROLES

    def params(self) -> dict[str, Any]:
        g = self.request.GET
        tab = g.get("tab", "closeness")
        tab = tab if tab in TABS else "closeness"
        basis = g.get("basis", RankingBasis.PERFORMANCE)
        basis = basis if basis in RankingBasis.values else RankingBasis.PERFORMANCE
        authority = g.get("authority", "")
        authority_code = int(authority) if authority.isdigit() else None
        roll = g.get("roll", "")
        simd = g.get("simd", "")
        sort = g.get("sort", "rank")
        if sort not in SORTS or tab not in SORTS[sort][2] or (sort == "gap" and basis != RankingBasis.STRONGER):
            sort = "rank"
        direction = "desc" if g.get("dir") == "desc" else "asc"
        return {"tab": tab, "basis": basis, "authority_code": authority_code,
                "roll": roll if roll in ROLL_BANDS else "", "simd": simd if simd in SIMD_PROFILES else "",
                "sort": sort, "dir": direction}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("format") == "csv":
            return self.export()
        return super().get(request, *args, **kwargs)

    def school(self) -> Establishment:
        """The school the list is for: ``?school=`` when the user holds a school role there (404
        otherwise), else the school they are working as."""
        seed = self.request.GET.get("school", "")
        if not seed:
            school = current_school(self.request)
            assert school is not None  # required_roles guarantees a school role
            return school
        for m in self.request.memberships:  # type: ignore[attr-defined]
            if m.role in ESTABLISHMENT_ROLES and m.establishment_id and m.establishment.seed_code == seed:
                return m.establishment
        raise Http404("You hold no role at that school")

    def compute(self) -> tuple[Establishment, dict[str, Any], FindPartnersResult, Sequence[PartnerRow]]:
        school = self.school()
        p = self.params()
        p["school"] = school.seed_code
        result = find_partners(
            self.request.user, school, basis=p["basis"], authority_code=p["authority_code"],
            roll_band=p["roll"], simd_profile=p["simd"],
        )
        rows: Sequence[PartnerRow] = result.rows
        if p["sort"] != "rank" or p["dir"] == "desc":
            rows = sort_rows(rows, p["sort"], p["dir"] == "desc")
        return school, p, result, rows

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        school, p, result, rows = self.compute()
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        total = result.total
        working_as = current_school(self.request)
        if result.own is not None:
            for r in page.object_list:
                r.explanation = explain(r, result.own, p["basis"], total)
        ctx.update(
            school=school,
            result=result,
            page=page,
            total=total,
            params=p,
            can_propose=can_act_for_establishment(self.request.user, school) and school == working_as,
            working_as=working_as,
            tabs=[(k, v, self._url(p, tab=k, page=None)) for k, v in TABS.items()],
            columns=self._columns(p),
            authorities=LocalAuthority.objects.order_by("name").values_list("code", "name"),
            roll_bands=[(k, v[0]) for k, v in ROLL_BANDS.items()],
            simd_profiles=[(k, v[0]) for k, v in SIMD_PROFILES.items()],
            bases=RankingBasis.choices,
            basis_label=RankingBasis(p["basis"]).label,
            # In a sentence: only the first letter lowered, so SIMD, FSM and ASN keep their capitals.
            basis_phrase=_sentence_case(str(RankingBasis(p["basis"]).label)),
            csv_url=self._url(p, format="csv", page=None),
            filtered=bool(p["authority_code"] or p["roll"] or p["simd"]),
            filter_summary=self._filter_summary(p),
            any_suppressed=any(r.any_suppressed for r in page.object_list),
            explanation_text=disclosure.explanation(),
            here=self.request.get_full_path(),
            share_url=share_url(self.request, self.request.path, [*self._state(p).items(), ("page", page.number if page.number > 1 else "")]),
            clear_url=self._url(p, authority="", roll="", simd="", page=None),
            here_q=quote(self.request.get_full_path(), safe=""),
            list_url=reverse("partnerships:list"),
            propose_url=reverse("partnerships:propose"),
            stronger=p["basis"] == RankingBasis.STRONGER,
        )
        return ctx

    @staticmethod
    def _filter_summary(p: dict[str, Any]) -> str:
        """The active ranking basis and filters in words, for the collapsed filter panel."""
        parts = [str(RankingBasis(p["basis"]).label)]
        if p["authority_code"]:
            name = LocalAuthority.objects.filter(code=p["authority_code"]).values_list("name", flat=True).first()
            parts.append(name or "unknown authority")
        else:
            parts.append("all of Scotland")
        if p["roll"]:
            parts.append(f"roll {ROLL_BANDS[p['roll']][0]}")
        if p["simd"]:
            parts.append(f"SIMD: {SIMD_PROFILES[p['simd']][0].lower()}")
        return ", ".join(parts)

    @staticmethod
    def _state(p: dict[str, Any]) -> dict[str, Any]:
        """Every choice of the list, in the order of its shareable link (datahub.sharing)."""
        return {"school": p["school"], "tab": p["tab"], "basis": p["basis"], "authority": p["authority_code"] or "",
                "roll": p["roll"], "simd": p["simd"], "sort": p["sort"], "dir": p["dir"]}

    def _url(self, p: dict[str, Any], **changes: Any) -> str:
        """A link within the list: the school is kept only when the page was opened for one by
        ``?school=`` (a shared link), so that the user's own links follow "Viewing as"."""
        q = self._state(p)
        if "school" not in self.request.GET:
            q["school"] = ""
        q.update(changes)
        defaults = {"tab": "closeness", "basis": RankingBasis.PERFORMANCE.value, "sort": "rank", "dir": "asc"}
        clean = {k: v for k, v in q.items() if v not in ("", None) and defaults.get(k) != v}
        return self.request.path + ("?" + urlencode(clean) if clean else "")

    def _columns(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        cols = []
        # Rank, then the school (its authority is shown with its name), then the figures.
        order = ["rank", "name", *(k for k in SORTS if k not in ("rank", "name", "authority"))]
        for key in order:
            label, _get, tabs = SORTS[key]
            if p["tab"] not in tabs or (key == "gap" and p["basis"] != RankingBasis.STRONGER):
                continue
            current = p["sort"] == key
            nxt = "desc" if current and p["dir"] == "asc" else "asc"
            cols.append({
                "key": key, "label": label, "current": current,
                "aria_sort": ("ascending" if p["dir"] == "asc" else "descending") if current else "",
                "url": self._url(p, sort=key, dir=nxt, page=None),
                "numeric": key not in ("name", "authority"),
            })
        return cols

    def export(self) -> HttpResponse:
        school, p, result, rows = self.compute()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="find-partners-{school.seed_code}-{p["basis"]}-{stamp}.csv"'
        )
        n = write_csv(response, result, rows, p["basis"])
        audit_event_create(
            actor=self.request.user,  # type: ignore[arg-type]
            action="export_find_partners",
            object_type="establishment",
            object_id=school.seed_code,
            establishment=school,
            detail={"basis": p["basis"], "tab": p["tab"], "authority": p["authority_code"], "roll": p["roll"],
                    "simd": p["simd"], "sort": p["sort"], "dir": p["dir"], "rows": n,
                    "run": result.run.pk if result.run else None},
        )
        return response

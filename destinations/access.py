"""Who may read and work on young people's destinations, answered through datahub.access.

datahub.access is the one access policy; this module only names the destinations questions in
its terms (docs/domain.md, "Destinations and participation"):

- **Journey** (a young person's timeline, contacts and notes): the MCMC officers of the authority
  of the young person's last school, and the admins and staff of that school. Nobody else: not
  authority analysts or national analysts (aggregates only), not data managers (they correct
  records through imports and the admin, not casework).
- **Casework** (record a destination, a participation status, a contact; assign; caseload and its
  export): the MCMC officers of that authority only.
- **Audit log** of an authority ("authority admins", our decision): its MCMC officers and its
  authority-level data managers; a national data manager reads every authority's log.

Outsiders (who may not see the young person at all) get 404; insiders who may see the person
elsewhere in the portal but lack the role here get 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from datahub.access import can_view_learner, has_role, memberships_of, scope_for
from datahub.models import ESTABLISHMENT_ROLES, Learner, LocalAuthority, Role, User

JOURNEY_ROLES = (Role.MCMC_OFFICER, *ESTABLISHMENT_ROLES)
CASEWORK_ROLES = (Role.MCMC_OFFICER,)
AUDIT_ROLES = (Role.MCMC_OFFICER, Role.DATA_MANAGER)


def may_read_journey(user: User | object, learner: Learner) -> bool:
    return has_role(user, JOURNEY_ROLES, establishment=learner.establishment)


def may_work_case(user: User | object, learner: Learner) -> bool:
    return has_role(user, CASEWORK_ROLES, establishment=learner.establishment)


def is_mcmc_officer_for(user: User | object, authority: LocalAuthority) -> bool:
    return has_role(user, Role.MCMC_OFFICER, authority=authority)


def require_journey(user: User | object, learner: Learner, *, write: bool = False) -> None:
    """404 unless the user may see the young person at all; 403 without the role for this."""
    allowed = may_work_case(user, learner) if write else may_read_journey(user, learner)
    if allowed:
        return
    if can_view_learner(user, learner) or (write and may_read_journey(user, learner)):
        raise PermissionDenied("Your role does not allow this")
    raise Http404("No such young person")


def mcmc_authority_ids(user: User | object) -> set[int]:
    """Authorities whose caseload the user works (MCMC officer memberships)."""
    return {m.authority_id for m in memberships_of(user) if m.role == Role.MCMC_OFFICER and m.authority_id}


def journey_establishment_ids(user: User | object) -> set[int]:
    """Schools whose leavers' journeys the user reads as the school's admin or staff."""
    return {m.establishment_id for m in memberships_of(user) if m.role in ESTABLISHMENT_ROLES and m.establishment_id}


def audit_authority_ids(user: User | object) -> set[int] | None:
    """Authorities whose audit log the user reads; None means every authority (national data
    manager); an empty set means none."""
    out: set[int] = set()
    for m in memberships_of(user):
        if m.role == Role.MCMC_OFFICER and m.authority_id:
            out.add(m.authority_id)
        elif m.role == Role.DATA_MANAGER:
            if m.authority_id:
                out.add(m.authority_id)
            elif not m.establishment_id:
                return None
    return out


# --- Before they leave (destinations.pathways) ---------------------------------------------------
# Pathway records, offers, risk and the readiness board: the school's own admins and staff (the
# portal has no separate guidance role: both establishment roles are the school's guidance staff
# here) and the MCMC officers of the school's authority. Nobody else sees a pupil's pathway or risk.

PATHWAY_ROLES = (Role.MCMC_OFFICER, *ESTABLISHMENT_ROLES)


def may_work_pathway(user: User | object, learner: Learner) -> bool:
    return has_role(user, PATHWAY_ROLES, establishment=learner.establishment)


def require_pathway(user: User | object, learner: Learner) -> None:
    """404 unless the user may see the pupil at all; 403 for those who may but lack the role."""
    if may_work_pathway(user, learner):
        return
    if can_view_learner(user, learner):
        raise PermissionDenied("Your role does not allow this")
    raise Http404("No such pupil")


def pathway_scope(user: User | object) -> tuple[set[int], set[int]]:
    """(establishment ids, authority ids) whose pupils' pathways the user works on."""
    return journey_establishment_ids(user), mcmc_authority_ids(user)


def pathway_places(user: User | object) -> list[str]:
    """The names of the places ``pathway_scope`` covers: the authorities, then the schools outside
    them, each sorted by name (from the memberships the request has loaded: no query)."""
    est_ids, auth_ids = pathway_scope(user)
    authorities: dict[int, str] = {}
    schools: dict[int, str] = {}
    for m in memberships_of(user):
        if m.authority is not None and m.authority.pk in auth_ids:
            authorities[m.authority.pk] = m.authority.name
        if m.establishment is not None and m.establishment.pk in est_ids and m.establishment.authority_id not in auth_ids:
            schools[m.establishment.pk] = m.establishment.name
    return sorted(authorities.values()) + sorted(schools.values())


def risk_weight_authority_ids(user: User | object) -> set[int]:
    """Authorities whose risk weights the user sets: their authority-level data managers."""
    return {m.authority_id for m in memberships_of(user) if m.role == Role.DATA_MANAGER and m.authority_id}


def may_edit_risk_weights(user: User | object) -> bool:
    return bool(risk_weight_authority_ids(user))


# The readiness measures (aggregates of the pipeline, week by week): every role whose memberships
# reach a place's figures (scope_for): school staff and data managers their school, MCMC officers,
# authority analysts and data managers their authority, national analysts and data managers
# Scotland. User administrators reach no figures (403). No pupil-level record is on these pages.


def may_read_readiness_measures(user: User | object) -> bool:
    return not scope_for(user).is_empty

"""The comparator groups' world: twelve schools of 25 leavers a year in four authorities, and one
small school (3 leavers a year) whose figures are withheld from the public; a published run."""

from __future__ import annotations

from dataclasses import dataclass

from datahub.codes import make_seed_code
from datahub.models import Establishment, LocalAuthority, Role, User
from insight.models import BenchmarkRun, RunStatus
from insight.selectors.runs import input_rows
from insight.services import run_create, run_execute_in_process
from tests.factories import member
from tests.insight.worlds import RUN_YEARS, add_leavers, build_world, publish


@dataclass
class GroupWorld:
    schools: list[Establishment]  # the twelve
    small: Establishment
    owner: User  # staff of schools[0]
    outsider: User  # staff of schools[1]: entitled to neither the small school nor most of the others

    def run(self) -> BenchmarkRun:
        run = run_create(years=list(RUN_YEARS), seed=17)
        run.input_rows = input_rows(run.years)  # as publication.run_start records it
        run.save(update_fields=["input_rows"])
        run = run_execute_in_process(run)
        assert run.status == RunStatus.SUCCEEDED, run.error
        return publish(run)


def build_group_world() -> GroupWorld:
    schools = build_world(n_authorities=4, schools_per_authority=3)
    la = LocalAuthority.objects.order_by("code")[5]
    small = Establishment.objects.create(seed_code=make_seed_code(990001), name="Tiny High School", authority=la,
                                         roll=60)
    add_leavers(small, 3, effect=1)
    for i, s in enumerate([*schools, small]):
        s.share_simd_q1, s.share_fsm, s.share_asn = (0.05 + 0.04 * i) % 0.7, 0.1 + 0.015 * i, 0.2 + 0.01 * (i % 3)
        s.urban_rural_6 = 1 + i % 3
        s.roll = 500 + 60 * i
        s.save()
    return GroupWorld(schools=schools, small=small,
                      owner=member(Role.ESTABLISHMENT_STAFF, establishment=schools[0]),
                      outsider=member(Role.ESTABLISHMENT_STAFF, establishment=schools[1]))

"""Organisations, people, roles and learner records.

Invariants live in the database (check and unique constraints) as well as in validators, so an
import, the admin, the API and a shell session all obey the same rules. One module per subject;
everything is importable from ``datahub.models`` as before.
"""

from .accounts import User, UserManager
from .attainment import (
    GRADED_AWARDS,
    VOCATIONAL_AWARDS,
    AwardType,
    CurricularArea,
    Grade,
    QualificationResult,
    Subject,
    TariffEntry,
    TariffScale,
)
from .audit import AuditEvent
from .imports import IMPORT_FINISHED, ChangeRecord, ImportBatch, ImportMappingProfile, ImportSource, ImportStatus
from .learners import SENIOR_PHASE, Enrolment, Learner, LearnerQuerySet, SchoolLeaver, Sex, Stage
from .organisations import (
    PRINCIPAL_ORDER,
    CentreType,
    Collaborative,
    Department,
    Establishment,
    EstablishmentQuerySet,
    EstablishmentType,
    LocalAuthority,
    SimdDataZone,
)
from .roles import AUTHORITY_ROLES, ESTABLISHMENT_ROLES, Membership, PartnerOrganisation, Role

__all__ = [
    "AUTHORITY_ROLES",
    "ESTABLISHMENT_ROLES",
    "GRADED_AWARDS",
    "IMPORT_FINISHED",
    "PRINCIPAL_ORDER",
    "SENIOR_PHASE",
    "VOCATIONAL_AWARDS",
    "AuditEvent",
    "AwardType",
    "CentreType",
    "ChangeRecord",
    "Collaborative",
    "CurricularArea",
    "Department",
    "Enrolment",
    "Establishment",
    "EstablishmentQuerySet",
    "EstablishmentType",
    "Grade",
    "ImportBatch",
    "ImportMappingProfile",
    "ImportSource",
    "ImportStatus",
    "Learner",
    "LearnerQuerySet",
    "LocalAuthority",
    "Membership",
    "PartnerOrganisation",
    "QualificationResult",
    "Role",
    "SchoolLeaver",
    "Sex",
    "SimdDataZone",
    "Stage",
    "Subject",
    "TariffEntry",
    "TariffScale",
    "User",
    "UserManager",
]

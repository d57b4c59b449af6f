from django.urls import path
from rest_framework.routers import APIRootView, DefaultRouter

from datahub import api as datahub_api
from datahub.api_base import PortalRolePermission
from datahub.imports import api as imports_api
from destinations import api as destinations_api
from destinations.pathways import api as pathway_api
from insight import api as insight_api
from insight import authority_api, courses_api
from insight.groups import api as group_api
from partnerships import api as partnerships_api
from partnerships.communities import api as communities_api
from partnerships.groups import api as partnership_groups_api

app_name = "api"


class PortalAPIRootView(APIRootView):
    """The list of API resources: any portal user (signed in with a role)."""

    permission_classes = [PortalRolePermission]


router = DefaultRouter()
router.APIRootView = PortalAPIRootView
router.register("authorities", datahub_api.LocalAuthorityViewSet, basename="authority")
router.register("establishments", datahub_api.EstablishmentViewSet, basename="establishment")
router.register("learners", datahub_api.LearnerViewSet, basename="learner")
router.register("leavers", datahub_api.LeaverViewSet, basename="leaver")
router.register("results", datahub_api.ResultViewSet, basename="result")
router.register("import-batches", imports_api.ImportBatchViewSet, basename="import-batch")
router.register("imports", imports_api.ImportKindViewSet, basename="import-kind")
router.register("partnership-groups", partnership_groups_api.PartnershipGroupViewSet, basename="partnership-group")
router.register("comparator-groups", group_api.ComparatorGroupViewSet, basename="comparator-group")
router.register("partnerships", partnerships_api.PartnershipViewSet, basename="partnership")
router.register(
    "partnership-notifications", partnerships_api.PartnershipNotificationViewSet, basename="partnership-notification"
)
router.register("communities", communities_api.CommunityViewSet, basename="community")

router.register("destination-records", destinations_api.DestinationRecordViewSet, basename="destination-record")
router.register("participation-spells", destinations_api.ParticipationSpellViewSet, basename="participation-spell")
router.register("offers", pathway_api.OfferViewSet, basename="offer")
router.register("courses", courses_api.CourseViewSet, basename="course")

urlpatterns = [
    *router.urls,
    # Local measures (issue 12): a school's curricular areas, as its page shows them.
    path("curricular-areas/<str:seed_code>/", insight_api.CurricularAreasAPIView.as_view(), name="curricular-areas"),
    path("breadth-depth/<str:seed_code>/", insight_api.BreadthDepthAPIView.as_view(), name="breadth-depth"),
    # ... and an authority's, its schools side by side, as the authority's page shows them.
    path("authorities/<int:code>/curricular-areas/", authority_api.AuthorityCurricularAreasAPIView.as_view(),
         name="authority-curricular-areas"),
]

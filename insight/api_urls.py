from rest_framework.routers import APIRootView, DefaultRouter

from datahub import api as datahub_api
from datahub.api_base import PortalRolePermission

app_name = "api"


class PortalAPIRootView(APIRootView):
    """The list of API resources: any portal user (signed in with a role)."""

    permission_classes = [PortalRolePermission]


router = DefaultRouter()
router.APIRootView = PortalAPIRootView
router.register("authorities", datahub_api.LocalAuthorityViewSet, basename="authority")
router.register("establishments", datahub_api.EstablishmentViewSet, basename="establishment")
router.register("learners", datahub_api.LearnerViewSet, basename="learner")

urlpatterns = router.urls

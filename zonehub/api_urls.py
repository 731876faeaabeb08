"""One router for the whole API; each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from enterprises.api.views import EnterpriseViewSet
from stewards.api.views import StewardAssignmentViewSet, StewardViewSet
from zonehub.api_views import DepartmentViewSet, NotificationViewSet, WorkstationViewSet

router = DefaultRouter()
router.register("departments", DepartmentViewSet)
router.register("workstations", WorkstationViewSet)
router.register("notifications", NotificationViewSet, basename="notification")
router.register("enterprises", EnterpriseViewSet)
router.register("stewards", StewardViewSet)
router.register("steward-assignments", StewardAssignmentViewSet)

urlpatterns = router.urls

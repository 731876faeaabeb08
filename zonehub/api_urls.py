"""One router for the whole API; each app registers its viewsets in ``<app>/api/urls.py``."""

import importlib

from rest_framework.routers import DefaultRouter

from enterprises.api.views import EnterpriseViewSet
from zonehub.api_views import DepartmentViewSet, NotificationViewSet, WorkstationViewSet

router = DefaultRouter()
router.register("departments", DepartmentViewSet)
router.register("workstations", WorkstationViewSet)
router.register("notifications", NotificationViewSet, basename="notification")
router.register("enterprises", EnterpriseViewSet)
for app in ("stewards", "projects", "evaluations"):
    importlib.import_module(f"{app}.api.urls").register(router)

urlpatterns = router.urls

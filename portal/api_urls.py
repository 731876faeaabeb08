"""One router for the whole API; each app registers its viewsets in ``<app>/api/urls.py``.

The portal stands above every app, so it imports each app's ``register`` directly, in floor order
(the order of the API root's listing)."""

from rest_framework.routers import DefaultRouter

from enterprises.api import urls as enterprises_api
from evaluations.api import urls as evaluations_api
from meetings.api import urls as meetings_api
from policies.api import urls as policies_api
from projects.api import urls as projects_api
from stewards.api import urls as stewards_api
from supply.api import urls as supply_api
from zonehub.api_views import DepartmentViewSet, NotificationViewSet, WorkstationViewSet

# No ".json" twin of every address: the schema documents none, ?format= and Accept choose the
# format, and the twins of the custom actions answered a server error (the format argument).
router = DefaultRouter()
router.include_format_suffixes = False
router.register("departments", DepartmentViewSet)
router.register("workstations", WorkstationViewSet)
router.register("notifications", NotificationViewSet, basename="notification")
for app_api in (enterprises_api, stewards_api, projects_api, evaluations_api, policies_api, meetings_api, supply_api):
    app_api.register(router)

urlpatterns = router.urls

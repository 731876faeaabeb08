from stewards.api.views import (
    EscalationViewSet,
    LedgerItemViewSet,
    ServiceRequestViewSet,
    StewardAssignmentViewSet,
    StewardViewSet,
    VisitViewSet,
)


def register(router) -> None:
    """Register this app's viewsets on the one API router (portal/api_urls.py)."""
    router.register("stewards", StewardViewSet)
    router.register("steward-assignments", StewardAssignmentViewSet)
    router.register("requests", ServiceRequestViewSet)
    router.register("escalations", EscalationViewSet)
    router.register("visits", VisitViewSet)
    router.register("ledger-items", LedgerItemViewSet)

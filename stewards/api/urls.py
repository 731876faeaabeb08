from stewards.api.views import StewardAssignmentViewSet, StewardViewSet


def register(router) -> None:
    """Register this app's viewsets on the one API router (zonehub/api_urls.py)."""
    router.register("stewards", StewardViewSet)
    router.register("steward-assignments", StewardAssignmentViewSet)

from enterprises.api.views import EnterpriseViewSet


def register(router) -> None:
    """Register this app's viewsets on the one API router (portal/api_urls.py)."""
    router.register("enterprises", EnterpriseViewSet)

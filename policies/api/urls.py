def register(router) -> None:
    """Register this app's viewsets on the one API router (portal/api_urls.py)."""
    from policies.api.views import PolicyPushViewSet, PolicyViewSet

    router.register("policies", PolicyViewSet, basename="policy")
    router.register("policy-pushes", PolicyPushViewSet, basename="policypush")

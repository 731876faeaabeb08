from projects.api.views import ApprovalViewSet, FiveKeyItemViewSet, FiveKeyNodeViewSet, ProjectViewSet


def register(router) -> None:
    """Register this app's viewsets on the one API router (portal/api_urls.py)."""
    router.register("projects", ProjectViewSet)
    router.register("approvals", ApprovalViewSet)
    router.register("fivekey-items", FiveKeyItemViewSet)
    router.register("fivekey-nodes", FiveKeyNodeViewSet)

def register(router) -> None:
    """Register this app's viewsets on the one API router (portal/api_urls.py)."""
    from meetings.api.views import DecisionViewSet, MeetingViewSet, SupervisionNoticeViewSet

    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("meeting-decisions", DecisionViewSet, basename="meetingdecision")
    router.register("supervision-notices", SupervisionNoticeViewSet, basename="supervisionnotice")

def register(router) -> None:
    """Register this app's viewsets on the one API router (portal/api_urls.py)."""
    from evaluations.api.views import (
        AppraisalViewSet,
        CampaignViewSet,
        GradeViewSet,
        RatingViewSet,
        ReplacementCaseViewSet,
    )

    router.register("campaigns", CampaignViewSet)
    router.register("ratings", RatingViewSet, basename="rating")
    router.register("replacement-cases", ReplacementCaseViewSet, basename="replacementcase")
    router.register("appraisals", AppraisalViewSet, basename="appraisal")
    router.register("grades", GradeViewSet, basename="grade")
    # Assessment and pay (issue 19)
    from evaluations.api.assessment import (
        AssessmentPlanViewSet,
        AssessmentResultViewSet,
        MyAssessmentViewSet,
        PaySheetViewSet,
    )

    router.register("assessment-plans", AssessmentPlanViewSet, basename="assessmentplan")
    router.register("assessment-results", AssessmentResultViewSet, basename="assessmentresult")
    router.register("pay-sheets", PaySheetViewSet, basename="paysheet")
    router.register("me/assessment", MyAssessmentViewSet, basename="my-assessment")

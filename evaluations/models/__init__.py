"""The evaluations app's models, one module per section:

- ``ratings``: half-yearly satisfaction ratings of stewards and the replacements they cause (rule 4);
- ``grades``: the monthly grades of departments and their thresholds (rule 6);
- ``plans``: the departments' tailored assessment plans and the entered indicators' actuals;
- ``appraisals``: the stewards' yearly grades and the findings of subjective lack of effort;
- ``pay``: grade coefficients, posts, pay sheets and their corrections, the post rotation pool.
"""

from evaluations.models.appraisals import EffortFinding, StewardGradePolicy, StewardYearGrade
from evaluations.models.grades import DepartmentMonthlyGrade, GradePolicy, GradeQuerySet
from evaluations.models.pay import (
    PayCoefficients,
    PayCorrection,
    PayLine,
    PayPost,
    PaySheet,
    RotationCase,
    reads_all_pay,
)
from evaluations.models.plans import AssessmentPlan, EnteredIndicator, MonthlyActual, PlanIndicator
from evaluations.models.ratings import Campaign, CampaignQuerySet, CaseQuerySet, Rating, RatingQuerySet, ReplacementCase

__all__ = [
    "AssessmentPlan", "Campaign", "CampaignQuerySet", "CaseQuerySet", "DepartmentMonthlyGrade", "EffortFinding",
    "EnteredIndicator", "GradePolicy", "GradeQuerySet", "MonthlyActual", "PayCoefficients", "PayCorrection",
    "PayLine", "PayPost", "PaySheet", "PlanIndicator", "Rating", "RatingQuerySet", "ReplacementCase",
    "RotationCase", "StewardGradePolicy", "StewardYearGrade", "reads_all_pay",
]

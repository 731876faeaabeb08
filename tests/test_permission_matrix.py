"""The permission matrix, built from the URLconf itself: every named route × every role gets the
answer declared in ``EXPECTED`` below, so a new page or endpoint cannot be added unguarded — a
route missing from the table fails the test until someone decides who may open it.

Who may open a page is declared once, on the view (``allowed_roles``, zonehub/roles.py). The
table marks the roles a page's declaration refuses with "-" — exactly those, checked against the
declaration — and each of them must be refused; the table spells out only what the declaration
cannot say (the answers to the roles it admits: object scope, POST-only, redirects). The menu is
built from the same declaration, and a role is shown exactly the pages that open for it.

Routes with ids are opened twice: with an object of the "A" side of the ``zone`` fixture (the
side every user here belongs to) and with the "B" side's (another enterprise, workstation,
department...). Missing and not-yours look the same: 404.

The security and audit administrators (三员分立) have columns of their own: they see no business
page, the security administrator works in the admin (tests/test_audit.py checks what it may do
there) and the audit administrator on the audit pages.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from enterprises.models import ImportBatch
from evaluations.models import Campaign, DepartmentMonthlyGrade, Rating, ReplacementCase
from evaluations.tests.factories import CampaignFactory, RatingFactory, assessment_matrix_objects
from meetings.tests.factories import matrix_objects as meetings_matrix_objects
from policies.models import Policy, PolicyPush
from policies.tests.factories import PolicyFactory
from portal.navigation import NAV_ITEMS
from projects.models import ConstructionNode, NodeEvidenceFile
from projects.tests.factories import (
    ApprovalFactory,
    FiveKeyItemFactory,
    FiveKeyNodeFactory,
    ProjectFactory,
    ProjectStewardFactory,
)
from stewards.models import LedgerItem, RequestAttachment, ServiceRequest, StewardAssignment, Visit
from stewards.tests.factories import PDF_BYTES, EscalationFactory, ServiceRequestFactory
from supply.tests.factories import matrix_objects as supply_matrix_objects
from tests.factories import UserFactory
from zonehub.models import Notification, Role
from zonehub.roles import view_roles
from zonehub.workdays import SHANGHAI

ROLES = ("enterprise", "steward", "workstation_head", "department", "department_head", "leader", "admin",
         "security_admin", "audit_admin", "operations", "assessment", "anonymous")
# The role each signed-in column's user has.
ROLE_OF = {"enterprise": Role.ENTERPRISE, "steward": Role.STEWARD, "workstation_head": Role.WORKSTATION_HEAD,
           "department": Role.DEPARTMENT, "department_head": Role.DEPARTMENT, "leader": Role.LEADER,
           "admin": Role.ADMIN, "security_admin": Role.SECURITY_ADMIN, "audit_admin": Role.AUDIT_ADMIN,
           "operations": Role.OPERATIONS, "assessment": Role.ASSESSMENT}

# Each row: the answer to a GET for each role, in the order of ROLES:
#   -                               refused by the page's declared roles: 403, or 404 where the
#                                   object is looked up first (a POST-only page is asked by POST)
#   200, 403, 404, 405 (POST only)  the status code
#   login                           a redirect to /accounts/login/
#   302                             any other redirect
#   a/b                             a route with an id: answer for the A side's object / the B side's
# Anonymous visitors are sent to log in on pages; the API answers them 403 (no session, and Basic
# auth is not asked for by default).
EXPECTED = {
    # fmt: off
    # route                                    ent     steward head    dept    d.head  leader  admin   secur.  audit   operat. assess. anon
    # --- Public: no login needed ---
    "healthz":                                "200     200     200     200     200     200     200     200     200     200     200     200",
    # Redoc's script, served by the app (its one internet image left out): a static file.
    "redoc_standalone":                       "200     200     200     200     200     200     200     200     200     200     200     200",
    "login":                                  "200     200     200     200     200     200     200     200     200     200     200     200",
    # The enterprise users' login by mobile number and SMS code (a page for everyone; staff are refused a code).
    "login_phone":                            "200     200     200     200     200     200     200     200     200     200     200     200",
    "logout":                                 "405     405     405     405     405     405     405     405     405     405     405     405",
    "password_reset":                         "200     200     200     200     200     200     200     200     200     200     200     200",
    "password_reset_complete":                "200     200     200     200     200     200     200     200     200     200     200     200",
    "password_reset_confirm":                 "200     200     200     200     200     200     200     200     200     200     200     200",
    "password_reset_done":                    "200     200     200     200     200     200     200     200     200     200     200     200",
    "set_language":                           "302     302     302     302     302     302     302     302     302     302     302     302",
    # --- Everyone signed in ---
    # 302: Django's admin sends non-staff to its own login
    "admin:index":                            "302     302     302     302     302     302     200     200     302     302     302     302",
    "home":                                   "200     200     200     200     200     200     200     200     200     200     200     login",
    "notifications":                          "200     200     200     200     200     200     200     200     200     200     200     login",
    "notifications_mark_read":                "405     405     405     405     405     405     405     405     405     405     405     login",
    "notification_settings":                  "200     200     200     200     200     200     200     200     200     200     200     login",
    "password_change":                        "200     200     200     200     200     200     200     200     200     200     200     login",
    "password_change_done":                   "200     200     200     200     200     200     200     200     200     200     200     login",
    # --- The audit trail: the audit administrator's only (三员分立: not the system administrator) ---
    "audit:events":                           "-       -       -       -       -       -       -       -       200     -       -       login",
    "audit:logins":                           "-       -       -       -       -       -       -       -       200     -       -       login",
    # --- Enterprises ---
    "assignments:assign":                     "-       -       200/404 -       -       -       200     -       -       -       -       login",
    # Issue 16: an enterprise's name plate (电话名牌), and a whole workstation's (a leader picks one first).
    "assignments:nameplate":                  "-       200/404 200/404 -       -       200     200     -       -       -       -       login",
    "assignments:nameplates":                 "-       200     200     -       -       200     200     -       -       -       -       login",
    "enterprises:detail":                     "200/404 200/404 200/404 404     404     200     200     404     404     404     404     login",
    "enterprises:import":                     "-       -       -       -       -       -       200     -       -       -       -       login",
    "enterprises:import_confirm":             "-       -       -       -       -       -       405     -       -       -       -       login",
    "enterprises:import_detail":              "-       -       -       -       -       -       200     -       -       -       -       login",
    "enterprises:import_progress":            "-       -       -       -       -       -       200     -       -       -       -       login",
    "enterprises:import_resume":              "-       -       -       -       -       -       405     -       -       -       -       login",
    "enterprises:import_template":            "-       -       -       -       -       -       200     -       -       -       -       login",
    "enterprises:list":                       "-       200     200     -       -       200     200     -       -       -       -       login",
    "enterprises:uncovered":                  "-       -       200     -       -       200     200     -       -       -       -       login",
    # --- Requests, escalations, visits, the complaint ledger ---
    "stewards:attachment":                    "200/404 200/404 200/404 200/404 200/404 200     200     -       -       -       -       login",
    "stewards:escalation_conclude":           "-       -       -       200/404 200/404 -       -       -       -       -       -       login",
    "stewards:escalation_consult":            "-       -       -       200/404 200/404 -       -       -       -       -       -       login",
    # an enterprise is sent to its request's page
    "stewards:escalation_detail":             "302/404 200/404 200/404 200/404 200/404 200     200     -       -       -       -       login",
    "stewards:escalation_list":               "-       200     200     -       -       200     200     -       -       -       -       login",
    # Issue 16, 一键直达: the steward raises a request to its head; the head acts on it (a page that says
    # when nothing waits).
    "stewards:direct_line_act":               "-       -       200/404 -       -       -       200     -       -       -       -       login",
    "stewards:direct_line_raise":             "-       200/404 -       -       -       -       200     -       -       -       -       login",
    "stewards:escalation_progress":           "-       -       -       200/404 200/404 -       -       -       -       -       -       login",
    "stewards:escalation_reply":              "-       -       -       200/404 200/404 -       -       -       -       -       -       login",
    "stewards:escalation_return":             "-       -       -       200/404 200/404 -       -       -       -       -       -       login",
    "stewards:inbox":                         "-       -       -       200     200     -       -       -       -       -       -       login",
    "stewards:ledger":                        "-       200     200     200     200     200     200     -       -       -       -       login",
    "stewards:ledger_claim":                  "-       -       -       200/404 200/404 -       -       -       -       -       -       login",
    "stewards:ledger_create":                 "-       -       -       -       -       200     200     -       -       -       -       login",
    "stewards:ledger_dispatch":               "-       -       -       -       -       200     200     -       -       -       -       login",
    "stewards:request_accept":                "-       200/404 200/404 -       -       -       200     -       -       -       -       login",
    "stewards:request_attach":                "200/404 200/404 200/404 -       -       -       200     -       -       -       -       login",
    "stewards:request_comment":               "200/404 200/404 200/404 -       -       -       200     -       -       -       -       login",
    "stewards:request_confirm":               "200/404 -       -       -       -       -       -       -       -       -       -       login",
    "stewards:request_create":                "200     -       -       -       -       -       -       -       -       -       -       login",
    "stewards:request_detail":                "200/404 200/404 200/404 200/404 200/404 200     200     -       -       -       -       login",
    "stewards:request_escalate":              "-       200/404 200/404 -       -       -       200     -       -       -       -       login",
    "stewards:request_list":                  "200     200     200     200     200     200     200     -       -       -       -       login",
    "stewards:request_log":                   "-       200     -       -       -       -       -       -       -       -       -       login",
    "stewards:request_reopen":                "200/404 -       -       -       -       -       -       -       -       -       -       login",
    "stewards:request_report":                "-       200/404 200/404 -       -       -       200     -       -       -       -       login",
    "stewards:request_resolve":               "-       200/404 200/404 -       -       -       200     -       -       -       -       login",
    "stewards:visit_create":                  "-       200     -       -       -       -       -       -       -       -       -       login",
    # Issue 16: the visits page (coverage by steward and workstation), for heads and leaders.
    "stewards:visits":                        "-       -       200     -       -       200     200     -       -       -       -       login",
    "stewards:worklist":                      "-       200     -       -       -       -       -       -       -       -       -       login",
    # --- Projects and the five-key list ---
    "projects:approval_add":                  "-       200/404 -       -       -       200     200     -       -       -       -       login",
    "projects:approval_update":               "-       200/404 403/404 200/404 200/404 200     200     -       -       -       -       login",
    # Issue 16: the project steward escalates a blocker (A's project is the steward's).
    "projects:blocker_raise":                 "-       200/404 -       -       -       -       -       -       -       -       -       login",
    "projects:board":                         "-       200     200     200     200     200     200     -       -       -       -       login",
    "projects:board_export":                  "-       200     200     200     200     200     200     -       -       -       -       login",
    "projects:board_print":                   "-       200     200     200     200     200     200     -       -       -       -       login",
    "projects:claim_confirm":                 "-       405     405     405     405     405     405     -       -       -       -       login",
    "projects:claim_decline":                 "-       405     405     405     405     405     405     -       -       -       -       login",
    "projects:construction_node_add":         "-       200/404 -       -       -       200     200     -       -       -       -       login",
    "projects:construction_node_done":        "-       405     405     405     405     405     405     -       -       -       -       login",
    "projects:investment":                    "-       200     200     200     200     200     200     -       -       -       -       login",
    "projects:item_claim":                    "-       405     405     405     405     405     405     -       -       -       -       login",
    "projects:item_coordinate":               "-       405     405     405     405     405     405     -       -       -       -       login",
    "projects:item_create":                   "-       -       -       -       -       200     200     -       -       -       -       login",
    "projects:item_detail":                   "-       200     200     200     200     200     200     -       -       -       -       login",
    "projects:item_edit":                     "-       -       -       -       -       200     200     -       -       -       -       login",
    "projects:node_add":                      "-       -       -       -       -       200     200     -       -       -       -       login",
    "projects:node_complete":                 "-       -       -       200/403 200/403 200     200     -       -       -       -       login",
    "projects:node_edit":                     "-       -       -       -       -       200     200     -       -       -       -       login",
    # A node's evidence file: open to whoever sees the node (every staff role sees the five-key list).
    "projects:node_evidence":                 "-       200     200     200     200     200     200     -       -       -       -       login",
    "projects:project_create":                "-       -       -       -       -       200     200     -       -       -       -       login",
    "projects:project_detail":                "200/404 200/404 200/404 200/404 200/404 200     200     -       -       -       -       login",
    "projects:project_edit":                  "-       200/404 403/404 403/404 403/404 200     200     -       -       -       -       login",
    "projects:project_list":                  "200     200     200     200     200     200     200     -       -       -       -       login",
    "projects:project_stage":                 "-       405     405     405     405     405     405     -       -       -       -       login",
    "projects:project_steward":               "-       -       200/404 -       -       200     200     -       -       -       -       login",
    "projects:ranking":                       "-       200     200     200     200     200     200     -       -       -       -       login",
    # Issue 16: projects without a project steward, like the enterprises without one.
    "projects:uncovered":                     "-       -       200     -       -       200     200     -       -       -       -       login",
    # --- Ratings, replacement cases, grades ---
    "evaluations:appraisal":                  "-       200     200     -       -       200     200     -       -       -       -       login",
    "evaluations:campaign_close":             "405     405     405     405     405     405     405     405     405     405     405     login",
    # an enterprise rates from the campaign list
    "evaluations:campaign_detail":            "302     200     200     200     200     200     200     404     404     404     404     login",
    "evaluations:campaign_export":            "-       -       200     -       -       200     200     -       -       -       -       login",
    "evaluations:campaign_list":              "200     200     200     200     200     200     200     -       -       -       -       login",
    "evaluations:campaign_open":              "405     405     405     405     405     405     405     405     405     405     405     login",
    "evaluations:campaign_reopen":            "-       -       -       -       -       405     405     -       -       -       -       login",
    "evaluations:case_detail":                "200/404 200/404 200/404 404     404     200     200     404     404     404     404     login",
    "evaluations:case_list":                  "200     200     200     -       -       200     200     -       -       -       -       login",
    "evaluations:case_name":                  "405     405     405     405     405     405     405     405     405     405     405     login",
    "evaluations:case_override":              "-       -       -       -       -       405     405     -       -       -       -       login",
    "evaluations:case_review":                "-       -       -       -       -       405     405     -       -       -       -       login",
    "evaluations:grade_detail":               "-       404     404     200/404 200/404 200     200     -       -       -       200     login",
    "evaluations:grade_list":                 "-       200     200     200     200     200     200     -       -       -       200     login",
    "evaluations:grade_recompute":            "405     405     405     405     405     405     405     405     405     405     405     login",
    "evaluations:rate":                       "405     -       -       -       -       -       -       -       -       -       -       login",
    "evaluations:rating_list":                "-       200     200     -       -       200     200     -       -       -       -       login",
    # --- Assessment and pay (issue 19): A's plan, actual and listing are dept A's; pay is leaders' and the office's ---
    "evaluations:actual_evidence":            "-       -       -       200/404 200/404 200     200     -       -       -       200     login",
    "evaluations:actual_list":                "-       -       -       -       -       200     200     -       -       -       200     login",
    "evaluations:actual_record":              "-       -       -       -       -       -       -       -       -       -       405     login",
    "evaluations:finding_record":             "-       -       405     -       -       405     -       -       -       -       -       login",
    "evaluations:indicator_create":           "-       -       -       -       -       -       -       -       -       -       405     login",
    "evaluations:indicator_list":             "-       -       -       200     200     200     200     -       -       -       200     login",
    "evaluations:my_assessment":              "-       200     200     200     200     200     200     -       -       200     200     login",
    "evaluations:pay_correction":             "-       -       -       -       -       405     -       -       -       -       405     login",
    "evaluations:pay_sheet_approve":          "-       -       -       -       -       405     -       -       -       -       -       login",
    "evaluations:pay_sheet_detail":           "-       -       -       -       -       200     -       -       -       -       200     login",
    "evaluations:pay_sheet_draft":            "-       -       -       -       -       -       -       -       -       -       405     login",
    "evaluations:pay_sheet_list":             "-       -       -       -       -       200     -       -       -       -       200     login",
    "evaluations:pay_sheet_recompute":        "-       -       -       -       -       -       -       -       -       -       405     login",
    "evaluations:pay_settings":               "-       -       -       -       -       200     200     -       -       -       200     login",
    "evaluations:plan_create":                "-       -       -       -       -       -       -       -       -       -       200     login",
    "evaluations:plan_detail":                "-       -       -       200/404 200/404 200     200     -       -       -       200     login",
    "evaluations:plan_list":                  "-       -       -       200     200     200     200     -       -       -       200     login",
    "evaluations:rotation_decide":            "-       -       -       -       -       405     -       -       -       -       -       login",
    "evaluations:rotation_list":              "-       -       -       -       -       200     -       -       -       -       200     login",
    "evaluations:steward_grade_list":         "-       -       200     -       -       200     200     -       -       -       200     login",
    "evaluations:steward_grades_compute":     "-       -       -       -       -       405     -       -       -       -       405     login",
    # --- Policies (精准滴灌): A's policy is published and pushed to A's enterprise, B's a draft ---
    "policies:create":                        "-       -       -       -       -       200     200     -       -       -       -       login",
    "policies:detail":                        "200/404 200/404 200/404 200/404 200/404 200     200     -       -       -       -       login",
    "policies:edit":                          "-       -       -       -       -       200     200     -       -       -       -       login",
    "policies:figures":                       "-       200     200     -       -       200     200     -       -       -       -       login",
    "policies:full_text":                     "200/404 200/404 200/404 200/404 200/404 200/404 200/404 -       -       -       -       login",
    "policies:import":                        "-       -       -       -       -       -       200     -       -       -       -       login",
    "policies:list":                          "200     200     200     200     200     200     200     -       -       -       -       login",
    "policies:matches":                       "-       200/404 200/404 -       -       200     200     -       -       -       -       login",
    "policies:mine":                          "200     -       -       -       -       -       -       -       -       -       -       login",
    "policies:publish":                       "-       -       -       -       -       405     405     -       -       -       -       login",
    "policies:push_apply":                    "405     -       -       -       -       -       -       -       -       -       -       login",
    "policies:push_decline":                  "405     -       -       -       -       -       -       -       -       -       -       login",
    "policies:push_list":                     "-       200     200     200     200     200     200     -       -       -       -       login",
    "policies:push_outcome":                  "-       -       -       200/404 200/404 200     200     -       -       -       -       login",
    "policies:withdraw":                      "-       -       -       -       -       405     405     -       -       -       -       login",
    # --- Meetings, decisions, chase-ups (督办): A's meeting is held, A's decision closed with its evidence ---
    "meetings:answer":                        "-       -       -       405     405     -       -       -       -       -       -       login",
    "meetings:cancel":                        "-       405     405     -       -       405     405     -       -       -       -       login",
    # a meeting not a draft is sent to its page
    "meetings:convene":                       "-       -       302/404 -       -       302     302     -       -       -       -       login",
    "meetings:create":                        "-       200     200     -       -       200     200     -       -       -       -       login",
    "meetings:decision_close":                "-       405     405     405     405     405     405     -       -       -       -       login",
    "meetings:decision_detail":               "-       200/404 200/404 200/404 200/404 200     200     -       -       -       -       login",
    "meetings:decision_evidence":             "-       200/404 200/404 200/404 200/404 200/404 200/404 -       -       -       -       login",
    "meetings:decision_list":                 "-       200     200     200     200     200     200     -       -       -       -       login",
    "meetings:decision_supervise":            "-       200/404 200/404 -       -       200     200     -       -       -       -       login",
    "meetings:detail":                        "200/404 200/404 200/404 200/404 200/404 200     200     -       -       -       -       login",
    "meetings:escalation_supervise":          "-       200/404 200/404 -       -       200     200     -       -       -       -       login",
    "meetings:flag_create":                   "-       200     200     -       -       200     200     -       -       -       -       login",
    "meetings:flag_list":                     "-       200     200     -       -       200     200     -       -       -       -       login",
    "meetings:list":                          "200     200     200     200     200     200     200     -       -       -       -       login",
    "meetings:minutes":                       "-       200/404 200/404 -       -       200     200     -       -       -       -       login",
    "meetings:minutes_docx":                  "-       200/404 200/404 200/404 200/404 200     200     -       -       -       -       login",
    "meetings:minutes_print":                 "-       200/404 200/404 200/404 200/404 200     200     -       -       -       -       login",
    "meetings:notice_detail":                 "-       200/404 200/404 200/404 200/404 200     200     -       -       -       -       login",
    "meetings:notice_docx":                   "-       200/404 200/404 200/404 200/404 200     200     -       -       -       -       login",
    "meetings:notice_list":                   "-       200     200     200     200     200     200     -       -       -       -       login",
    "meetings:notice_print":                  "-       200/404 200/404 200/404 200/404 200     200     -       -       -       -       login",
    "meetings:supervision_docx":              "-       200/404 200/404 200/404 200/404 200     200     -       -       -       -       login",
    "meetings:supervision_print":             "-       200/404 200/404 200/404 200/404 200     200     -       -       -       -       login",
    # --- Supply matchmaking (产业链撮合): the operations centre runs cases and contracts; A's enterprise buys in A's case, from a supplier A's steward also serves ---
    "supply:case_detail":                     "200/404 200/404 200/404 -       -       200     200     -       -       200     -       login",
    "supply:case_list":                       "-       200     200     -       -       200     200     -       -       200     -       login",
    # without a need and an offer: sent to the suggestions
    "supply:case_open":                       "-       302     302     -       -       -       302     -       -       302     -       login",
    "supply:case_stage":                      "-       -       -       -       -       -       405     -       -       405     -       login",
    "supply:chain_detail":                    "-       200     200     -       -       200     200     -       -       200     -       login",
    "supply:chain_list":                      "-       200     200     -       -       200     200     -       -       200     -       login",
    "supply:contract_detail":                 "200/404 200/404 200/404 -       -       200     200     -       -       200     -       login",
    "supply:contract_list":                   "-       200     200     -       -       200     200     -       -       200     -       login",
    "supply:contract_sign":                   "-       -       -       -       -       -       200     -       -       200     -       login",
    "supply:delivery_list":                   "-       200     200     -       -       200     200     -       -       200     -       login",
    "supply:delivery_record":                 "-       -       -       -       -       -       405     -       -       405     -       login",
    "supply:enterprise":                      "200/404 200/404 200/404 -       -       200     200     -       -       200     -       login",
    "supply:figures":                         "-       -       -       -       -       200     200     -       -       200     -       login",
    "supply:gap_target":                      "-       -       -       -       -       200     200     -       -       -       -       login",
    "supply:import":                          "-       -       -       -       -       -       200     -       -       -       -       login",
    "supply:link_create":                     "-       -       -       -       -       -       200     -       -       200     -       login",
    "supply:mine":                            "200     -       -       -       -       -       -       -       -       -       -       login",
    "supply:need_create":                     "200/404 200/404 200/404 -       -       -       200     -       -       200     -       login",
    "supply:need_edit":                       "200/404 200/404 200/404 -       -       -       200     -       -       200     -       login",
    "supply:need_list":                       "-       200     200     -       -       200     200     -       -       200     -       login",
    "supply:need_withdraw":                   "405     405     405     -       -       -       405     -       -       405     -       login",
    "supply:obstacle_link":                   "-       -       -       -       -       -       405     -       -       405     -       login",
    "supply:obstacle_raise":                  "-       200/404 200/404 -       -       -       200     -       -       -       -       login",
    "supply:offer_create":                    "200/404 200/404 200/404 -       -       -       200     -       -       200     -       login",
    "supply:offer_edit":                      "200/404 200/404 200/404 -       -       -       200     -       -       200     -       login",
    "supply:offer_list":                      "-       200     200     -       -       200     200     -       -       200     -       login",
    "supply:offer_withdraw":                  "405     405     405     -       -       -       405     -       -       405     -       login",
    "supply:payment_record":                  "-       -       -       -       -       -       405     -       -       405     -       login",
    "supply:product_create":                  "-       -       -       -       -       -       200     -       -       200     -       login",
    "supply:saving_report":                   "405     -       -       -       -       -       405     -       -       405     -       login",
    "supply:suggestions":                     "-       200     200     -       -       200     200     -       -       200     -       login",
    # --- The REST API (DRF: anonymous gets 403, lists are scoped, POST-only actions answer GET with 405) ---
    "api-root":                               "200     200     200     200     200     200     200     200     200     200     200     403",
    "api_docs":                               "200     200     200     200     200     200     200     200     200     200     200     403",
    "api_redoc":                              "200     200     200     200     200     200     200     200     200     200     200     403",
    "appraisal-list":                         "403     200     200     403     403     200     200     403     403     403     403     403",
    "approval-detail":                        "200/404 200/404 200/404 200/404 200/404 200     200     404     404     404     404     403",
    "approval-list":                          "200     200     200     200     200     200     200     200     200     200     200     403",
    "approval-record":                        "405     405     405     405     405     405     405     405     405     405     405     403",
    "campaign-close":                         "405     405     405     405     405     405     405     405     405     405     405     403",
    "campaign-detail":                        "200     200     200     200     200     200     200     404     404     404     404     403",
    "campaign-list":                          "200     200     200     200     200     200     200     200     200     200     200     403",
    "campaign-open-campaign":                 "405     405     405     405     405     405     405     405     405     405     405     403",
    "campaign-results":                       "403     403     200     403     403     200     200     403     403     403     403     403",
    "department-detail":                      "200     200     200     200     200     200     200     404     404     404     404     403",
    "department-list":                        "200     200     200     200     200     200     200     200     200     200     200     403",
    "enterprise-detail":                      "200/404 200/404 200/404 404     404     200     200     404     404     404     404     403",
    "enterprise-list":                        "200     200     200     200     200     200     200     200     200     200     200     403",
    "escalation-conclude":                    "405     405     405     405     405     405     405     405     405     405     405     403",
    "escalation-consultation":                "405     405     405     405     405     405     405     405     405     405     405     403",
    "escalation-detail":                      "200/404 200/404 200/404 200/404 200/404 200     200     404     404     404     404     403",
    "escalation-list":                        "200     200     200     200     200     200     200     200     200     200     200     403",
    "escalation-progress":                    "200/404 200/404 200/404 200/404 200/404 200     200     404     404     404     404     403",
    "escalation-reply":                       "405     405     405     405     405     405     405     405     405     405     405     403",
    "escalation-return":                      "405     405     405     405     405     405     405     405     405     405     405     403",
    "fivekeyitem-claim":                      "405     405     405     405     405     405     405     405     405     405     405     403",
    "fivekeyitem-confirm-claim":              "405     405     405     405     405     405     405     405     405     405     405     403",
    "fivekeyitem-detail":                     "404     200     200     200     200     200     200     404     404     404     404     403",
    "fivekeyitem-list":                       "200     200     200     200     200     200     200     200     200     200     200     403",
    "fivekeynode-complete":                   "405     405     405     405     405     405     405     405     405     405     405     403",
    "fivekeynode-detail":                     "404     200     200     200     200     200     200     404     404     404     404     403",
    "fivekeynode-list":                       "200     200     200     200     200     200     200     200     200     200     200     403",
    # Assessment and pay (issue 19): plans and results for leaders and the office; pay not even for the administrator
    "assessmentplan-detail":                  "403     403     403     403     403     200     200     403     403     403     200     403",
    "assessmentplan-list":                    "403     403     403     403     403     200     200     403     403     403     200     403",
    "assessmentresult-detail":                "403     403     403     403     403     200     200     403     403     403     200     403",
    "assessmentresult-list":                  "403     403     403     403     403     200     200     403     403     403     200     403",
    "my-assessment-list":                     "200     200     200     200     200     200     200     200     200     200     200     403",
    "paysheet-approve":                       "403     403     403     403     403     405     403     403     403     403     405     403",
    "paysheet-corrections":                   "403     403     403     403     403     405     403     403     403     403     405     403",
    "paysheet-detail":                        "403     403     403     403     403     200     403     403     403     403     200     403",
    "paysheet-list":                          "403     403     403     403     403     200     403     403     403     403     200     403",
    "grade-detail":                           "404     404     404     200/404 200/404 200     200     404     404     404     200     403",
    "grade-list":                             "200     200     200     200     200     200     200     200     200     200     200     403",
    # with ?month=
    "grade-ranking":                          "200     200     200     200     200     200     200     200     200     200     200     403",
    "ledgeritem-claim":                       "405     405     405     405     405     405     405     405     405     405     405     403",
    "ledgeritem-detail":                      "404     200/404 200/404 200/404 200/404 200     200     404     404     404     404     403",
    "ledgeritem-dispatch-to":                 "405     405     405     405     405     405     405     405     405     405     405     403",
    "ledgeritem-list":                        "200     200     200     200     200     200     200     200     200     200     200     403",
    "meeting-detail":                         "200/404 200/404 200/404 200/404 200/404 200     200     404     404     404     404     403",
    "meeting-list":                           "200     200     200     200     200     200     200     200     200     200     200     403",
    "meetingdecision-close":                  "405     405     405     405     405     405     405     405     405     405     405     403",
    "meetingdecision-detail":                 "200/404 200/404 200/404 200/404 200/404 200     200     404     404     404     404     403",
    "meetingdecision-list":                   "200     200     200     200     200     200     200     200     200     200     200     403",
    "notification-detail":                    "200/404 200/404 200/404 200/404 200/404 200/404 200/404 200/404 200/404 200/404 200/404 403",
    "notification-list":                      "200     200     200     200     200     200     200     200     200     200     200     403",
    "notification-mark-read":                 "405     405     405     405     405     405     405     405     405     405     405     403",
    "policy-detail":                          "200/404 200/404 200/404 200/404 200/404 200     200     404     404     404     404     403",
    "policy-list":                            "200     200     200     200     200     200     200     200     200     200     200     403",
    "policy-matches":                         "200/404 200/404 200/404 200/404 200/404 200     200     404     404     404     404     403",
    "policypush-apply":                       "405     405     405     405     405     405     405     405     405     405     405     403",
    "policypush-decline":                     "405     405     405     405     405     405     405     405     405     405     405     403",
    "policypush-detail":                      "200/404 200/404 200/404 200/404 200/404 200     200     404     404     404     404     403",
    "policypush-list":                        "200     200     200     200     200     200     200     200     200     200     200     403",
    "policypush-outcome":                     "405     405     405     405     405     405     405     405     405     405     405     403",
    "project-detail":                         "200/404 200/404 200/404 200/404 200/404 200     200     404     404     404     404     403",
    "project-list":                           "200     200     200     200     200     200     200     200     200     200     200     403",
    "project-stage":                          "405     405     405     405     405     405     405     405     405     405     405     403",
    "project-steward":                        "405     405     405     405     405     405     405     405     405     405     405     403",
    "rating-detail":                          "200/404 200/404 200/404 404     404     200     200     404     404     404     404     403",
    "rating-list":                            "200     200     200     200     200     200     200     200     200     200     200     403",
    "replacementcase-allow-back":             "405     405     405     405     405     405     405     405     405     405     405     403",
    "replacementcase-detail":                 "200/404 200/404 200/404 404     404     200     200     404     404     404     404     403",
    "replacementcase-list":                   "200     200     200     200     200     200     200     200     200     200     200     403",
    "replacementcase-name-steward":           "405     405     405     405     405     405     405     405     405     405     405     403",
    "replacementcase-review":                 "405     405     405     405     405     405     405     405     405     405     405     403",
    "schema":                                 "200     200     200     200     200     200     200     200     200     200     200     403",
    "servicerequest-accept":                  "405     405     405     405     405     405     405     405     405     405     405     403",
    "servicerequest-attach":                  "405     405     405     405     405     405     405     405     405     405     405     403",
    "servicerequest-comments":                "200/404 200/404 200/404 200/404 200/404 200     200     404     404     404     404     403",
    "servicerequest-confirm":                 "405     405     405     405     405     405     405     405     405     405     405     403",
    "servicerequest-detail":                  "200/404 200/404 200/404 200/404 200/404 200     200     404     404     404     404     403",
    "servicerequest-escalate":                "405     405     405     405     405     405     405     405     405     405     405     403",
    "servicerequest-events":                  "200/404 200/404 200/404 200/404 200/404 200     200     404     404     404     404     403",
    "servicerequest-list":                    "200     200     200     200     200     200     200     200     200     200     200     403",
    "servicerequest-log":                     "405     405     405     405     405     405     405     405     405     405     405     403",
    "servicerequest-reopen":                  "405     405     405     405     405     405     405     405     405     405     405     403",
    "servicerequest-report-back":             "405     405     405     405     405     405     405     405     405     405     405     403",
    "servicerequest-resolve":                 "405     405     405     405     405     405     405     405     405     405     405     403",
    "steward-detail":                         "200/404 200/404 200/404 404     404     200     200     404     404     404     404     403",
    "steward-list":                           "200     200     200     200     200     200     200     200     200     200     200     403",
    "stewardassignment-detail":               "200/404 200/404 200/404 404     404     200     200     404     404     404     404     403",
    "stewardassignment-list":                 "200     200     200     200     200     200     200     200     200     200     200     403",
    "matchcase-detail":                       "200/404 200/404 200/404 404     404     200     200     404     404     200     404     403",
    "matchcase-list":                         "200     200     200     200     200     200     200     200     200     200     200     403",
    "supplycontract-detail":                  "200/404 200/404 200/404 404     404     200     200     404     404     200     404     403",
    "supplycontract-list":                    "200     200     200     200     200     200     200     200     200     200     200     403",
    "supplyneed-detail":                      "200/404 200/404 200/404 404     404     200     200     404     404     200     404     403",
    "supplyneed-list":                        "200     200     200     200     200     200     200     200     200     200     200     403",
    "supplyneed-suggestions":                 "200/404 200/404 200/404 404     404     200     200     404     404     200     404     403",
    "supplyoffer-detail":                     "200/404 200/404 200/404 404     404     200     200     404     404     200     404     403",
    "supplyoffer-list":                       "200     200     200     200     200     200     200     200     200     200     200     403",
    "visit-detail":                           "200/404 200/404 200/404 404     404     200     200     404     404     404     404     403",
    "visit-list":                             "200     200     200     200     200     200     200     200     200     200     200     403",
    "workstation-detail":                     "404     200/404 200/404 200     200     200     200     404     404     404     404     403",
    "workstation-list":                       "200     200     200     200     200     200     200     200     200     200     200     403",
    "supervisionnotice-detail":               "404     200/404 200/404 200/404 200/404 200     200     404     404     404     404     403",
    "supervisionnotice-list":                 "200     200     200     200     200     200     200     200     200     200     200     403",
    # fmt: on
}

# The object kind each route with an id opens, by the path before its first id.
KINDS = {
    "enterprises/": "enterprise",
    "enterprises/import/": "import",
    "requests/": "request",
    "requests/escalations/": "escalation",
    "requests/ledger/": "ledger",
    "projects/": "project",
    "projects/approvals/": "approval",
    "projects/construction-nodes/": "construction_node",
    "projects/fivekey/": "item",
    "projects/fivekey/nodes/": "node",
    "evaluations/campaigns/": "campaign",
    "evaluations/cases/": "case",
    "evaluations/grades/": "grade",
    "api/departments/": "department",
    "api/workstations/": "workstation",
    "api/notifications/": "notification",
    "api/enterprises/": "enterprise",
    "api/stewards/": "steward",
    "api/steward-assignments/": "assignment",
    "api/requests/": "request",
    "api/escalations/": "escalation",
    "api/visits/": "visit",
    "api/ledger-items/": "ledger",
    "api/projects/": "project",
    "api/approvals/": "approval",
    "api/fivekey-items/": "item",
    "api/fivekey-nodes/": "node",
    "api/campaigns/": "campaign",
    "api/ratings/": "rating",
    "api/replacement-cases/": "case",
    "api/grades/": "grade",
    "evaluations/plans/": "plan",
    "evaluations/actuals/": "actual",
    "evaluations/pay/": "paysheet",
    "evaluations/rotation/": "rotation",
    "api/assessment-plans/": "plan",
    "api/assessment-results/": "grade",
    "api/pay-sheets/": "paysheet",
    "policies/": "policy",
    "policies/pushes/": "push",
    "api/policies/": "policy",
    "api/policy-pushes/": "push",
    "supply/chains/": "chain",
    "supply/links/": "link",
    "supply/enterprises/": "enterprise",
    "supply/offers/": "offer",
    "supply/needs/": "need",
    "supply/cases/": "supply_case",
    "supply/contracts/": "supply_contract",
    "api/supply-offers/": "offer",
    "api/supply-needs/": "need",
    "api/matchmaking-cases/": "supply_case",
    "api/supply-contracts/": "supply_contract",
    "meetings/": "meeting",
    "meetings/decisions/": "decision",
    "meetings/escalations/": "escalation",
    "meetings/supervision/": "notice",
    "api/meetings/": "meeting",
    "api/meeting-decisions/": "decision",
    "api/supervision-notices/": "notice",
}

# Query strings a route needs to answer at all (without them it is a 400, not a permission).
QUERIES = {"grade-ranking": "?month=2026-10"}

# Routes with something other than ids in them: how to fill the rest.
EXTRA_KWARGS = {
    "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
    "enterprises:import_template": {"kind": "enterprises"},
}

ARG = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def named_routes(resolver=None, prefix="", namespace=""):
    """(name, pattern text, view) for every named route, once per name (the router's ".json" twins
    share their name with the plain route and are left out). The admin's own pages are Django's."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            pattern = prefix + str(entry.pattern)
            if "format" in pattern:
                continue
            yield f"{namespace}{entry.name}", pattern, entry.callback


# The first pattern of each name, as Django resolves it, and its view.
ROUTES = {name: pattern for name, pattern, _view in reversed(list(named_routes()))}
VIEWS = {name: view for name, _pattern, view in reversed(list(named_routes()))}
ROUTES["admin:index"] = "admin/"  # the admin's own pages are Django's; its door is ours to check


def route_kind(pattern: str) -> str | None:
    match = ARG.search(pattern)
    if not match or (match.group("name") or match.group("rname")) not in ("pk", "node_pk"):
        return None
    before = pattern[:match.start()].replace("^", "")
    if before not in KINDS:
        raise AssertionError(f"route pattern {pattern!r}: add the object kind for {before!r} to KINDS")
    return KINDS[before]


def parse_row(name: str) -> list[str]:
    cells = EXPECTED[name].split()
    assert len(cells) == len(ROLES), f"EXPECTED[{name!r}] needs one answer per role {ROLES}"
    return cells


def build_objects(zone):
    """The A and B side of everything a route can open. All the users in the matrix are A's."""
    z = zone
    z.dept_plain_a = UserFactory(role=Role.DEPARTMENT, department=z.dept_a, is_department_head=False)
    users = {
        "enterprise": z.ent_user_a, "steward": z.steward_a.user, "workstation_head": z.head_a,
        "department": z.dept_plain_a, "department_head": z.dept_user_a, "leader": z.leader, "admin": z.admin,
        # The separation of duties (三员分立): the security administrator works in the admin (staff).
        "security_admin": UserFactory(role=Role.SECURITY_ADMIN, is_staff=True),
        "audit_admin": UserFactory(role=Role.AUDIT_ADMIN),
        "operations": UserFactory(role=Role.OPERATIONS),
        "assessment": UserFactory(role=Role.ASSESSMENT),
    }
    campaign = CampaignFactory(status=Campaign.Status.CLOSED, closed_at=dt.datetime(2026, 6, 24, tzinfo=SHANGHAI))
    other_campaign = CampaignFactory(year=2025, half=Campaign.Half.H2, status=Campaign.Status.CLOSED,
                                     opened_at=dt.datetime(2025, 12, 1, 9, tzinfo=SHANGHAI),
                                     closes_at=dt.datetime(2025, 12, 24, tzinfo=SHANGHAI),
                                     closed_at=dt.datetime(2025, 12, 24, tzinfo=SHANGHAI))
    objects = {"campaign": (campaign, other_campaign)}
    for ent, steward, dept, ws, ent_user in ((z.ent_a, z.steward_a, z.dept_a, z.ws_a, z.ent_user_a),
                                             (z.ent_b, z.steward_b, z.dept_b, z.ws_b, z.ent_user_b)):
        request = ServiceRequestFactory(enterprise=ent, status=ServiceRequest.Status.ESCALATED, created_by=ent_user)
        escalation = EscalationFactory(request=request, department=dept)
        attachment = RequestAttachment.objects.create(
            request=request, file=SimpleUploadedFile("证明.pdf", PDF_BYTES), original_name="证明.pdf",
            size=len(PDF_BYTES), content_type="application/pdf", uploaded_by=ent_user)
        ledger = LedgerItem.objects.create(
            enterprise=ent, title="道路积水", description="雨天积水", meeting_date=dt.date(2026, 11, 2),
            status=LedgerItem.Status.DISPATCHED, department=dept, recorded_by=z.leader)
        visit = Visit.objects.create(steward=steward, enterprise=ent, visited_on=dt.date(2026, 11, 2),
                                     findings="运行正常", created_by=steward.user)
        project = ProjectFactory(investor=ent)
        ProjectStewardFactory(project=project, steward=steward)
        approval = ApprovalFactory(project=project, department=dept)
        construction_node = ConstructionNode.objects.create(project=project, name="主体封顶",
                                                            planned_date=dt.date(2026, 12, 1))
        item = FiveKeyItemFactory(responsible_unit=dept, project=project)
        node = FiveKeyNodeFactory(item=item)
        evidence = NodeEvidenceFile.objects.create(
            node=node, file=SimpleUploadedFile("验收.pdf", PDF_BYTES), original_name="验收.pdf",
            size=len(PDF_BYTES), content_type="application/pdf", uploaded_by=z.leader)
        rating = RatingFactory(campaign=campaign, enterprise=ent, steward=steward, value=Rating.Value.UNSATISFIED,
                               reason="响应慢", rated_by=ent_user)
        case = ReplacementCase.objects.create(rating=rating, campaign=campaign, enterprise=ent, steward=steward,
                                              workstation=ws, due_at=dt.datetime(2026, 7, 1, tzinfo=SHANGHAI))
        grade = DepartmentMonthlyGrade.objects.create(department=dept, month=dt.date(2026, 10, 1), score=90,
                                                      grade=DepartmentMonthlyGrade.Grade.A)
        batch = ImportBatch.objects.create(kind=ImportBatch.Kind.ENTERPRISES, file=SimpleUploadedFile("企业.xlsx", b"x"),
                                           file_name="企业.xlsx", status=ImportBatch.Status.INVALID, created_by=z.admin)
        # A's policy is published (with its full text) and pushed to A's enterprise, which applied;
        # B's is a draft that only leaders see, pushed by hand to B's enterprise.
        policy = PolicyFactory(department=dept, created_by=z.leader,
                               status=Policy.Status.PUBLISHED if ent == z.ent_a else Policy.Status.DRAFT,
                               full_text=SimpleUploadedFile("政策原文.pdf", PDF_BYTES) if ent == z.ent_a else "",
                               full_text_name="政策原文.pdf" if ent == z.ent_a else "")
        push = PolicyPush.objects.create(policy=policy, enterprise=ent, status=PolicyPush.Status.APPLIED,
                                         request=request, applied_at=dt.datetime(2026, 11, 20, tzinfo=SHANGHAI))
        for kind, obj in {
            "enterprise": ent, "request": request, "escalation": escalation, "attachment": attachment,
            "ledger": ledger, "visit": visit, "project": project, "approval": approval,
            "construction_node": construction_node, "item": item, "node": node, "rating": rating, "case": case,
            "grade": grade, "import": batch, "department": dept, "workstation": ws, "steward": steward,
            "assignment": StewardAssignment.objects.get(enterprise=ent), "evidence": evidence,
            "policy": policy, "push": push,
        }.items():
            objects.setdefault(kind, []).append(obj)
    objects.update(meetings_matrix_objects(z, objects))
    objects.update(supply_matrix_objects(z, users))
    objects.update(assessment_matrix_objects(z))
    # Notifications are personal: A is the user's own, B someone else's.
    other_notification = Notification.objects.create(recipient=z.ent_user_b, kind="test", title="B", dedupe_key="b")
    notifications = {role: Notification.objects.create(recipient=user, kind="test", title=role, dedupe_key=role)
                     for role, user in users.items()}
    return users, objects, notifications, other_notification


def route_url(name, pattern, objects, side, own_notification, other_notification) -> str:
    kwargs = dict(EXTRA_KWARGS.get(name, {}))
    kind = route_kind(pattern)
    if kind:
        if kind == "notification":
            obj = (own_notification or other_notification) if side == 0 else other_notification
        else:
            obj = objects[kind][side]
        for match in ARG.finditer(pattern):
            arg = match.group("name") or match.group("rname")
            if arg in ("pk", "node_pk"):
                kwargs[arg] = obj.pk
            elif arg == "file_pk":
                kwargs[arg] = objects["evidence" if name == "projects:node_evidence" else "attachment"][side].pk
            elif arg == "steward_pk":
                kwargs[arg] = objects["steward"][side].pk
    return reverse(name, kwargs=kwargs or None) + QUERIES.get(name, "")


def answer(response) -> str:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return "login"
    return str(response.status_code)


def refusal(client, url: str) -> str:
    """The answer to a role the page's declaration refuses. A POST-only view that checks the method
    first answers a GET with 405 whoever asks: it is asked by POST, as its form would."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return answer(response)


def declared_roles(name: str) -> tuple[str, ...] | None:
    view = VIEWS.get(name)
    return view_roles(view) if view is not None else None


def test_every_route_is_in_the_table():
    missing = sorted(set(ROUTES) - set(EXPECTED))
    gone = sorted(set(EXPECTED) - set(ROUTES))
    assert not missing, (
        "New routes with no declared permissions. Add a row to EXPECTED in tests/test_permission_matrix.py "
        f"saying what each role gets: {missing}")
    assert not gone, f"EXPECTED lists routes the URLconf no longer has: {gone}"
    assert len(ROUTES) > 100  # the matrix must not silently shrink when the URLconf changes shape


def test_the_table_refuses_exactly_the_roles_each_page_declares_it_refuses():
    """A "-" where the view's declared roles leave a role out, and only there: the table cannot
    say another thing than the declaration."""
    wrong = []
    for name in sorted(set(EXPECTED) & set(ROUTES)):
        roles = declared_roles(name)
        for role, cell in zip(ROLES, parse_row(name), strict=True):
            if role == "anonymous":
                if cell == "-":
                    wrong.append(f"  {name}: anonymous visitors are sent to log in, not '-'")
                continue
            refused = roles is not None and ROLE_OF[role] not in roles
            if refused != (cell == "-"):
                wrong.append(f"  {name:40} {role:17} table says {cell!r}, the view declares {roles}")
    assert not wrong, "EXPECTED disagrees with the views' allowed_roles:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, zone, role):
    """One role, every route: all differences from the table are collected and shown at once."""
    cache.clear()
    column = ROLES.index(role)
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False):
        users, objects, notifications, other_notification = build_objects(zone)
        if role != "anonymous":
            client.force_login(users[role])
        mismatches = []
        for name, pattern in sorted(ROUTES.items()):
            if name not in EXPECTED:
                continue  # reported by test_every_route_is_in_the_table
            sides = (0, 1) if route_kind(pattern) else (0,)
            want = parse_row(name)[column]
            urls = [route_url(name, pattern, objects, side, notifications.get(role), other_notification)
                    for side in sides]
            if want == "-":
                answers = [refusal(client, url) for url in urls]
                if not set(answers) <= {"403", "404"}:
                    mismatches.append(f"  {name:40} expected a refusal (403/404), got {'/'.join(answers)}")
                continue
            answers = [answer(client.get(url)) for url in urls]
            got = answers[0] if len(set(answers)) == 1 else "/".join(answers)
            if got != want:
                mismatches.append(f"  {name:40} expected {want:9} got {got}")
    assert not mismatches, (
        f"{role}: answers that differ from EXPECTED in tests/test_permission_matrix.py (fix the view, or the table "
        "if the new answer is the intended one):\n" + "\n".join(mismatches))


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_the_menu_shows_a_role_exactly_the_pages_that_open_for_it(client, zone, role):
    """The header's menu, read from the home page: every page in it opens (200) for the role, and
    every menu page left out of it does not."""
    cache.clear()
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False):
        users, *_rest = build_objects(zone)
        client.force_login(users[role])
        shown = {item["name"] for item in client.get(reverse("home")).context["nav_items"]}
        wrong = []
        for name, _label in NAV_ITEMS:
            status = client.get(reverse(name)).status_code
            if (name in shown) != (status == 200):
                wrong.append(f"  {name:30} {'shown' if name in shown else 'hidden'}, the page answers {status}")
    assert not wrong, f"{role}: the menu and the pages disagree:\n" + "\n".join(wrong)

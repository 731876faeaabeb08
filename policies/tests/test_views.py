"""The pages, as each role uses them: scoped by role (an enterprise sees only its own), bad input
said in Chinese with what was typed kept, list pages with pinned query counts."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from policies import services
from policies.models import Policy, PolicyPush
from policies.tests.factories import PolicyFactory
from stewards.models import ServiceRequest

pytestmark = pytest.mark.django_db


def publish(z, capture):
    with capture(execute=True):
        return services.policy_publish(policy=z.policy, actor=z.leader)


def test_staff_create_a_policy_with_three_conditions_and_publish_it(client, policy_zone,
                                                                    django_capture_on_commit_callbacks):
    z = policy_zone
    client.force_login(z.leader)
    form = {"title": "专精特新企业奖励", "issuer": "市工业和信息化局", "document_number": "市工信〔2026〕8号",
            "level": "municipal", "kind": "subsidy", "summary": "对新认定的专精特新企业给予奖励。",
            "benefit_type": "amount", "benefit_amount": "200000", "opens_on": "2026-11-01", "closes_on": "2026-11-01",
            "tags_all": [z.little.pk], "industries": [z.materials.pk], "min_revenue": "5000"}
    form["closes_on"] = "2026-10-01"  # before it opens: refused, what was typed kept
    response = client.post(reverse("policies:create"), form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "申报截止不能早于申报开始" in page or "The window cannot close before it opens." in page
    assert "专精特新企业奖励" in page and not Policy.objects.filter(title="专精特新企业奖励").exists()
    form["closes_on"] = "2026-12-31"
    response = client.post(reverse("policies:create"), form)
    policy = Policy.objects.get(title="专精特新企业奖励")
    assert response.status_code == 302 and policy.status == Policy.Status.DRAFT
    page = client.get(policy.get_absolute_url()).content.decode()
    assert page.count('data-testid="condition"') == 3  # the three conditions
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("policies:publish", args=[policy.pk]))
    assert response.status_code == 302
    assert list(PolicyPush.objects.filter(policy=policy).values_list("enterprise", flat=True)) == [z.ent_a.pk]


def test_the_enterprise_sees_its_policy_with_why_and_applies(client, policy_zone, django_capture_on_commit_callbacks):
    z = policy_zone
    publish(z, django_capture_on_commit_callbacks)
    client.force_login(z.ent_user_a)
    page = client.get(reverse("policies:mine")).content.decode()
    assert "高新技术企业认定奖励" in page and "专精特新" in page
    push = PolicyPush.objects.get(enterprise=z.ent_a)
    assert push.viewed_at is None
    client.get(reverse("policies:detail", args=[z.policy.pk]))
    push.refresh_from_db()
    assert push.viewed_at is not None
    response = client.post(reverse("policies:push_apply", args=[push.pk]), {"note": "材料已备齐"})
    push.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == reverse("stewards:request_detail",
                                                                          args=[push.request_id])
    request = ServiceRequest.objects.get()
    assert (request.category, request.steward, request.enterprise) == ("policy", z.steward_a, z.ent_a)


def test_an_enterprise_sees_nothing_of_another(client, policy_zone, django_capture_on_commit_callbacks):
    z = policy_zone
    publish(z, django_capture_on_commit_callbacks)
    push = PolicyPush.objects.get(enterprise=z.ent_a)
    client.force_login(z.ent_user_b)
    assert "高新技术企业认定奖励" not in client.get(reverse("policies:mine")).content.decode()
    assert client.post(reverse("policies:push_apply", args=[push.pk])).status_code == 404
    assert client.post(reverse("policies:push_decline", args=[push.pk]), {"reason": "x"}).status_code == 404
    draft = PolicyFactory(created_by=z.leader)
    assert client.get(reverse("policies:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("policies:detail", args=[z.policy.pk])).status_code == 200  # published: readable
    assert client.get(reverse("policies:push_list")).status_code == 403
    assert client.get(reverse("policies:matches", args=[z.policy.pk])).status_code == 403
    assert not ServiceRequest.objects.exists()


def test_not_needed_needs_a_reason(client, policy_zone, django_capture_on_commit_callbacks):
    z = policy_zone
    publish(z, django_capture_on_commit_callbacks)
    push = PolicyPush.objects.get(enterprise=z.ent_a)
    client.force_login(z.ent_user_a)
    response = client.post(reverse("policies:push_decline", args=[push.pk]), {"reason": ""}, follow=True)
    assert re.search("请说明不需要的原因|Say why the policy is not needed", response.content.decode())
    push.refresh_from_db()
    assert push.status == PolicyPush.Status.PUSHED
    client.post(reverse("policies:push_decline", args=[push.pk]), {"reason": "已享受同类政策"})
    push.refresh_from_db()
    assert (push.status, push.decline_reason) == (PolicyPush.Status.DECLINED, "已享受同类政策")


def test_matches_and_near_misses_for_the_steward(client, policy_zone, django_capture_on_commit_callbacks,
                                                 django_assert_max_num_queries):
    z = policy_zone
    publish(z, django_capture_on_commit_callbacks)
    client.force_login(z.steward_a.user)
    url = reverse("policies:matches", args=[z.policy.pk])
    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()
    assert z.ent_a.name in page and z.ent_b.name not in page and "丙" not in page
    page = client.get(url + "?near=1").content.decode()
    assert z.ent_a.name not in page and z.ent_b.name not in page  # B is another steward's
    client.force_login(z.leader)
    page = client.get(url + "?near=1").content.decode()
    assert z.ent_b.name in page and 'data-testid="missing"' in page


def test_the_push_list_is_scoped_and_its_query_count_fixed(client, policy_zone, django_capture_on_commit_callbacks,
                                                          django_assert_max_num_queries):
    z = policy_zone
    publish(z, django_capture_on_commit_callbacks)
    other = PolicyFactory(title="研发费用加计扣除", tags_all=[z.high], created_by=z.leader)
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_publish(policy=other, actor=z.leader)
    assert PolicyPush.objects.count() == 3  # A twice, B once
    client.force_login(z.steward_a.user)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("policies:push_list")).content.decode()
    assert page.count('data-testid="push-row"') == 2 and z.ent_b.name not in page
    client.force_login(z.leader)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("policies:push_list")).content.decode()
    assert page.count('data-testid="push-row"') == 3
    client.force_login(z.handler_user)  # the department handling the first policy: its pushes only
    page = client.get(reverse("policies:push_list")).content.decode()
    assert page.count('data-testid="push-row"') == 1
    client.force_login(z.dept_user_a)  # another department
    assert 'data-testid="push-row"' not in client.get(reverse("policies:push_list")).content.decode()


def test_the_handling_department_records_the_money(client, policy_zone, django_capture_on_commit_callbacks):
    z = policy_zone
    publish(z, django_capture_on_commit_callbacks)
    push = services.push_apply(push=PolicyPush.objects.get(enterprise=z.ent_a), actor=z.ent_user_a)
    url = reverse("policies:push_outcome", args=[push.pk])
    client.force_login(z.dept_user_a)
    assert client.get(url).status_code == 404  # not its policy
    client.force_login(z.handler_user)
    response = client.post(url, {"outcome": "redeemed", "amount": "abc", "approved_on": "2026-11-20"})
    assert response.status_code == 200 and 'value="abc"' in response.content.decode()
    response = client.post(url, {"outcome": "redeemed", "amount": "120000", "approved_on": "2026-11-23"})
    assert response.status_code == 302
    push.refresh_from_db()
    assert (push.status, push.approved_amount, push.approved_on) == ("redeemed", 120000, dt.date(2026, 11, 23))
    client.force_login(z.leader)
    page = client.get(reverse("policies:figures")).content.decode()
    assert "120,000" in page
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="panel-policies"' in home and "120,000" in home


def test_figures_link_to_their_lists(client, policy_zone, django_capture_on_commit_callbacks):
    z = policy_zone
    publish(z, django_capture_on_commit_callbacks)
    client.force_login(z.leader)
    response = client.get(reverse("policies:figures"))
    rows = response.context["by_policy"]
    assert [(f.qualifying, f.pushed, f.viewed, f.applied, f.redeemed) for f in rows] == [(1, 1, 0, 0, 0)]
    assert rows[0].reach == 0.0
    assert client.get(rows[0].links["pushed"]).context["object_list"][0].enterprise == z.ent_a
    assert [r.name for r in client.get(rows[0].links["qualifying"]).context["rows"]] == [z.ent_a.name]
    chain = response.context["by_chain"][0]
    assert chain.label == "新材料" and chain.qualifying == 1
    assert client.get(chain.links["qualifying"]).context["by_policy"][0].qualifying == 1


def test_the_catalogue_exports_text_as_text(client, policy_zone):
    z = policy_zone
    PolicyFactory(title="=HYPERLINK(\"http://x\")", created_by=z.leader)
    client.force_login(z.leader)
    response = client.get(reverse("policies:list") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    titles = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "=HYPERLINK(\"http://x\")" in titles
    cell = next(row[0] for row in sheet.iter_rows(min_row=2) if row[0].value.startswith("="))
    assert cell.data_type == "s"
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "须全部具备的标签" in headers and "营业收入不低于（万元）" in headers


def test_the_catalogue_list_is_scoped(client, policy_zone, django_capture_on_commit_callbacks,
                                      django_assert_max_num_queries):
    z = policy_zone
    publish(z, django_capture_on_commit_callbacks)
    PolicyFactory(title="草稿政策", created_by=z.leader)
    client.force_login(z.ent_user_b)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("policies:list")).content.decode()
    assert "高新技术企业认定奖励" in page and "草稿政策" not in page
    client.force_login(z.leader)
    assert "草稿政策" in client.get(reverse("policies:list")).content.decode()


def test_withdraw_from_the_page(client, policy_zone, django_capture_on_commit_callbacks):
    z = policy_zone
    publish(z, django_capture_on_commit_callbacks)
    client.force_login(z.leader)
    response = client.post(reverse("policies:withdraw", args=[z.policy.pk]), {"reason": ""}, follow=True)
    assert response.status_code == 200
    z.policy.refresh_from_db()
    assert z.policy.status == Policy.Status.PUBLISHED
    client.post(reverse("policies:withdraw", args=[z.policy.pk]), {"reason": "政策调整"})
    z.policy.refresh_from_db()
    assert z.policy.status == Policy.Status.WITHDRAWN
    # The enterprise it was pushed to still reads it (its page and notifications link there), without
    # an apply button; no other enterprise does, and the catalogue lists it to nobody outside.
    client.force_login(z.ent_user_a)
    page = client.get(reverse("policies:detail", args=[z.policy.pk])).content.decode()
    assert "政策调整" in page and 'data-testid="apply"' not in page
    assert "高新技术企业认定奖励" in client.get(reverse("policies:mine")).content.decode()
    client.force_login(z.ent_user_b)
    assert client.get(reverse("policies:detail", args=[z.policy.pk])).status_code == 404


def test_the_enterprises_policy_page_costs_the_same_with_more_policies(client, policy_zone,
                                                                      django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    z = policy_zone
    publish(z, django_capture_on_commit_callbacks)
    client.force_login(z.ent_user_a)

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("policies:mine")).status_code == 200
        return len(queries)

    one = cost()
    for n in range(4):
        more = PolicyFactory(title=f"政策{n}", tags_all=[z.high], created_by=z.leader)
        with django_capture_on_commit_callbacks(execute=True):
            services.policy_publish(policy=more, actor=z.leader)
    assert PolicyPush.objects.filter(enterprise=z.ent_a).count() == 5
    assert cost() == one

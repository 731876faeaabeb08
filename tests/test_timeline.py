"""The timeline reads in the user's language: event kinds and state codes as labels."""

import pytest
from django.urls import reverse

from stewards import services

pytestmark = pytest.mark.django_db


def test_request_timeline_shows_chinese_labels_not_codes(zone, client):
    request = services.request_submit(actor=zone.ent_user_a, category="policy", title="申报补贴",
                                      description="请指导申报流程。")
    services.request_escalate(request=request, actor=zone.steward_a.user, departments=[zone.dept_a], reason="请协助")
    client.force_login(zone.ent_user_a)
    page = client.get(reverse("stewards:request_detail", args=[request.pk])).content.decode()
    timeline = page[page.index('data-testid="timeline"'):]
    assert "提交诉求" in timeline  # event kind "request.submitted"
    assert "已吹哨至部门" in timeline  # to_state "escalated" of the request
    assert "待答复" in timeline  # to_state "open" of the escalation, labelled by its own model
    assert "request.submitted" not in timeline and "→ escalated" not in timeline

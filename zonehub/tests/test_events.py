import re

import pytest
from django.utils import translation

from tests.factories import UserFactory
from zonehub.events import EVENT_LABELS, record_event
from zonehub.models import Event

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.django_db
def test_an_undeclared_event_kind_is_refused_and_nothing_is_recorded():
    user = UserFactory()
    with pytest.raises(ValueError, match="not declared"):
        record_event(user, actor=user, kind="request.teleported")
    assert not Event.objects.exists()


def test_every_declared_event_kind_reads_in_chinese_on_a_timeline():
    # The apps' kinds (stewards, projects, evaluations, enterprises) and the core's are all there.
    assert {"request.submitted", "fivekey.lagging", "case.opened", "import.done", "admin.changed"} <= set(EVENT_LABELS)
    with translation.override("zh-hans"):
        untranslated = [kind for kind, label in EVENT_LABELS.items() if not CJK.search(str(label))]
    assert untranslated == []

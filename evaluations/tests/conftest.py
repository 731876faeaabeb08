import datetime as dt

import pytest
import time_machine

from zonehub.workdays import SHANGHAI

# 2026-06-02 10:00 in Shanghai: the first-half campaign (1–23 June) is running.
IN_CAMPAIGN = dt.datetime(2026, 6, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def in_campaign():
    with time_machine.travel(IN_CAMPAIGN, tick=False) as traveller:
        yield traveller

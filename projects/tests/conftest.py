import datetime as dt

import pytest
import time_machine

from zonehub.workdays import SHANGHAI

# Monday 23 November 2026, 10:00 in the zone: every test in this app runs on a fixed day.
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield TODAY

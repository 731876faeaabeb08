"""Fake providers (zonehub/tests/fake_providers.py), started per test on 127.0.0.1, with the
settings pointing the channels at them."""

import pytest
from django.core.cache import cache

from zonehub.tests.fake_providers import DingTalkFake, TencentSmsFake, WeComFake


@pytest.fixture
def wecom(settings):
    fake = WeComFake().start()
    settings.ZONEHUB_WECOM_API_URL = fake.url
    settings.ZONEHUB_WECOM_CORP_ID = fake.CORP_ID
    settings.ZONEHUB_WECOM_AGENT_ID = str(fake.AGENT_ID)
    settings.ZONEHUB_WECOM_SECRET = fake.SECRET
    cache.clear()  # no access token of another test's fake
    yield fake
    fake.stop()


@pytest.fixture
def dingtalk(settings):
    fake = DingTalkFake().start()
    settings.ZONEHUB_DINGTALK_API_URL = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def sms(settings):
    fake = TencentSmsFake().start()
    settings.ZONEHUB_SMS_BACKEND = ""
    settings.ZONEHUB_SMS_URL = fake.url
    settings.ZONEHUB_SMS_SECRET_ID = fake.SECRET_ID
    settings.ZONEHUB_SMS_SECRET_KEY = fake.SECRET_KEY
    settings.ZONEHUB_SMS_SDK_APP_ID = fake.APP_ID
    settings.ZONEHUB_SMS_SIGN_NAME = fake.SIGN_NAME
    settings.ZONEHUB_SMS_TEMPLATE_NOTICE = "2001"
    settings.ZONEHUB_SMS_TEMPLATE_LOGIN_CODE = "2002"
    yield fake
    fake.stop()


@pytest.fixture
def short_timeout(settings):
    """Providers that hang are given up on quickly."""
    settings.ZONEHUB_CHANNEL_TIMEOUT_SECONDS = 0.3

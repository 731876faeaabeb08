"""The "通知设置" form: for each topic of notice, the channels it goes by (the bell always)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zonehub.forms import BootstrapFormMixin
from zonehub.models import Channel, Topic
from zonehub.notification_settings import PERSONAL_CHANNELS, channels_for


def topic_field(topic: str) -> str:
    return f"topic_{topic}"


class NotificationSettingsForm(BootstrapFormMixin, forms.Form):
    wecom_userid = forms.CharField(label=_("WeCom account (UserID)"), max_length=64, required=False,
                                   help_text=_("Your account in the zone's WeCom, as the WeCom administrator sees "
                                               "it (成员 → 账号). Leave empty if you do not use WeCom."))

    def __init__(self, *args, settings_row=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c.value, c.label) for c in Channel if c.value in PERSONAL_CHANNELS]
        for topic in Topic:
            self.fields[topic_field(topic.value)] = forms.MultipleChoiceField(
                label=topic.label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple,
                initial=sorted(channels_for(settings_row, topic.value)),
            )
        if settings_row is not None:
            self.fields["wecom_userid"].initial = settings_row.wecom_userid

    def channels(self) -> dict[str, list[str]]:
        return {topic.value: list(self.cleaned_data.get(topic_field(topic.value)) or []) for topic in Topic}

    def grid(self) -> list[dict]:
        """Rows of the page's table: each topic with, for each channel, whether it is chosen (what
        was posted, when the form comes back with an error)."""
        rows = []
        for topic in Topic:
            name = topic_field(topic.value)
            bound = self[name]
            chosen = {str(v) for v in (bound.value() or [])}
            rows.append({"topic": topic, "name": name, "errors": bound.errors,
                         "cells": [{"channel": c, "checked": c in chosen} for c in PERSONAL_CHANNELS]})
        return rows

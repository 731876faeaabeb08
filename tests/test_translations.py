"""Chinese first: the zh-hans catalogue has a translation for every string it holds."""

import re
from pathlib import Path

import polib
from django.conf import settings


def test_every_catalogued_string_is_translated():
    po = polib.pofile(str(Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []
    assert len(po.translated_entries()) > 1000


def test_placeholders_survive_translation():
    po = polib.pofile(str(Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    broken = [
        e.msgid for e in po.translated_entries()
        if sorted(re.findall(r"%\(\w+\)[sd]", e.msgid)) != sorted(re.findall(r"%\(\w+\)[sd]", e.msgstr))
    ]
    assert broken == []

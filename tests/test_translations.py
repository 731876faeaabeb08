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
    def names(text):
        return sorted(re.findall(r"%\(\w+\)[sd]", text))

    broken = []
    for e in po.translated_entries():
        # A plural entry keeps its forms in msgstr_plural; each must carry the plural msgid's names.
        translations = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
        source = names(e.msgid_plural) if e.msgid_plural else names(e.msgid)
        broken += [e.msgid for text in translations if names(text) != source]
    assert broken == []

"""The meeting notice, the minutes and the chase-up notice as Word files laid out per GB/T
9704-2012, read back with python-docx; and the printable pages beside them."""

import io

import pytest
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from meetings import documents, services
from meetings.tests.factories import at, convene, decision, hold
from stewards.services import deadline_sweep

pytestmark = pytest.mark.django_db


def _read(data: bytes):
    return Document(io.BytesIO(data))


def _text(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def _east_asia(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def assert_official_layout(doc, *, mark: str, code: str, title: str):
    section = doc.sections[0]
    def mm(length):
        return round(length.mm)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert [mm(section.top_margin), mm(section.bottom_margin), mm(section.left_margin), mm(section.right_margin)] == \
        [37, 35, 28, 26]
    paragraphs = [p for p in doc.paragraphs if p.text]
    head, number, heading = paragraphs[0], paragraphs[1], paragraphs[2]
    # The issuing body's mark: red, 小标宋, centred, as large as fits.
    assert head.text == mark and head.alignment == WD_ALIGN_PARAGRAPH.CENTER
    run = head.runs[0]
    assert str(run.font.color.rgb) == "FF0000" and _east_asia(run) == documents.XIAOBIAOSONG
    assert run.font.size.pt >= 30
    # The number, and the red rule under it.
    assert number.text == code and number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    border = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert border.get(qn("w:color")) == "FF0000"
    assert heading.text == title and heading.runs[0].font.size.pt == 22
    # The body in 仿宋 三号, with a two-character first-line indent.
    body = [p for p in paragraphs if p.paragraph_format.first_line_indent]
    assert body and all(p.runs[0].font.size.pt == 16 for p in body)
    assert body[0].paragraph_format.first_line_indent.pt == 32
    assert _east_asia(body[0].runs[0]) == documents.FANGSONG
    # 落款 and date, right-aligned four characters in.
    signature = [p for p in paragraphs if p.alignment == WD_ALIGN_PARAGRAPH.RIGHT]
    assert signature[0].text == "三门峡高新区管委会" and "年" in signature[1].text
    assert signature[0].paragraph_format.right_indent.pt == 64
    # Page numbers: "— PAGE —", odd pages right and even pages left.
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for footer in (odd, even):
        assert footer.text.startswith("— ") and footer.text.endswith(" —")
        assert "PAGE" in "".join(t.text for t in footer._p.iter(qn("w:instrText")))


def test_the_three_documents_in_the_official_layout(mz, django_capture_on_commit_callbacks):
    z = mz
    meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a, z.dept_c])
    notice = _read(documents.to_docx(documents.meeting_notice(meeting)))
    assert_official_layout(notice, mark="三门峡高新区管委会文件", code="会通〔2026〕1号", title="关于召开用电增容协调会的通知")
    text = _text(notice)
    assert "2026年11月25日 14:30" in text and "管委会3楼会议室" in text and z.dept_c.name in text
    assert f"#{z.request_a.pk} 用电增容" in text

    hold(meeting, z.head_a, decision("完成线路勘察", department=z.dept_c, days=3, item=meeting.items.get()))
    meeting.refresh_from_db()
    minutes = _read(documents.to_docx(documents.meeting_minutes(meeting)))
    assert_official_layout(minutes, mark="三门峡高新区管委会会议纪要", code="纪要〔2026〕1号", title="用电增容协调会纪要")
    assert "完成线路勘察。责任单位：国网供电公司；完成时限：2026年11月30日前（3个工作日）。" in _text(minutes)

    deadline_sweep(now=at(2026, 12, 1, 0, 1))
    import time_machine

    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        chase = services.supervision_issue(actor=z.head_a, decision=meeting.decisions.get(), reason="请两日内办结")
    doc = _read(documents.to_docx(documents.supervision_notice(chase)))
    assert_official_layout(doc, mark="三门峡高新区管委会文件", code="督办〔2026〕1号", title="督办通知书")
    text = _text(doc)
    assert "国网供电公司：" in text and "已超过办理时限" in text and "2026年12月3日前办结" in text


def test_the_pages_serve_the_word_files_and_the_printable_pages(client, mz):
    z = mz
    meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a])
    client.force_login(z.dept_user_a)
    response = client.get(reverse("meetings:notice_docx", args=[meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"] == documents.DOCX_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert _read(response.content).paragraphs[0].text == "三门峡高新区管委会文件"
    page = client.get(reverse("meetings:notice_print", args=[meeting.pk]))
    assert page.status_code == 200 and "会通〔2026〕1号" in page.content.decode()
    # No minutes before the meeting is held; another department's meeting is not found.
    assert client.get(reverse("meetings:minutes_docx", args=[meeting.pk])).status_code == 404
    client.force_login(z.dept_user_b)
    assert client.get(reverse("meetings:notice_docx", args=[meeting.pk])).status_code == 404


def test_the_documents_are_chinese_whatever_the_reader_chose(client, mz):
    z = mz
    meeting = convene(z.steward_a.user, z.request_a, departments=[z.dept_a], on_site=True, site_enterprise=z.ent_a,
                      place="二号车间")
    client.force_login(z.steward_a.user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("meetings:notice_docx", args=[meeting.pk]))
    assert f"{z.ent_a.name}现场办公" in _text(_read(response.content))

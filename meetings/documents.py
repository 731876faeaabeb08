"""The official documents (公文) of the meetings app — the meeting notice, the minutes and the
chase-up notice — written once as an ``OfficialDocument`` (what it says) and given two ways: a
Word file laid out per GB/T 9704-2012 (``to_docx``, python-docx) and a printable page (the
templates under meetings/print/, which render the same object).

GB/T 9704-2012, as far as a Word file carries it:

- A4 (210 × 297 mm); margins top 37 mm, bottom 35 mm, left (binding side) 28 mm, right 26 mm, which
  leave the 156 × 225 mm type area; 22 lines of 28 characters: body in 仿宋 三号 (16 pt) at an exact
  line pitch of 28.95 pt;
- 版头: the issuing body's mark (发文机关标志) in red 小标宋, centred, its upper edge 35 mm below the
  type area's; the document number (发文字号) centred two lines below it; a red rule (版头中的分隔线)
  4 mm below the number;
- the title in 小标宋 二号 (22 pt), centred, two lines below the rule; the addressees (主送机关) flush
  left, one line below; the body with a two-character first-line indent, its levels in 黑体 (一、)
  and 楷体 (（一）);
- 落款: the issuing body and the date (成文日期, in Arabic numerals: 2026年11月23日) right-aligned
  four characters in from the right;
- 版记 (抄送, 印发机关和印发日期) between black rules at the end;
- page numbers "— 1 —" in 宋体 四号 (14 pt) under the type area: odd pages right, even pages left,
  one character in.

Fonts are named as Chinese government offices have them (仿宋_GB2312, 方正小标宋简体, 黑体,
楷体_GB2312); a machine without them substitutes its own. The content is Chinese only: these are
the committee's official papers, whatever language the reader's pages are in.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.conf import settings

from meetings.models import Decision, Meeting, SupervisionNotice
from zonehub.dates import cn_date, cn_datetime, cn_deadline
from zonehub.workdays import local_date

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"

SIZE_BODY = 16  # 三号
SIZE_TITLE = 22  # 二号
SIZE_PAGE_NUMBER = 14  # 四号
SIZE_MARK_MAX = 36  # 小初
LINE_PITCH = 28.95  # 225 mm of type area / 22 lines, in points
TYPE_WIDTH_PT = 156 / 25.4 * 72  # 442 pt
RED = "FF0000"

CN_NUMBERS = "一二三四五六七八九十"


def cn_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (for 一、 and （一）)."""
    if n <= 10:
        return CN_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    return (CN_NUMBERS[tens - 1] if tens > 1 else "") + "十" + (CN_NUMBERS[ones - 1] if ones else "")


@dataclass
class Block:
    """One paragraph of the body: ``level`` 0 is text, 1 a 一、 heading (黑体), 2 a （一） one (楷体)."""

    text: str
    level: int = 0


@dataclass
class OfficialDocument:
    mark: str  # 发文机关标志
    code: str  # 发文字号
    title: str
    body: list[Block]
    signature: str  # 发文机关署名
    date: dt.date  # 成文日期
    addressees: str = ""  # 主送机关
    copy_to: str = ""  # 抄送机关
    printer: str = ""  # 印发机关
    filename: str = "document"
    extra: dict = field(default_factory=dict)

    @property
    def mark_size(self) -> int:
        """The mark in 小初 at most, smaller when it would not fit the type area on one line."""
        return min(SIZE_MARK_MAX, int(TYPE_WIDTH_PT / max(len(self.mark), 1)))

    @property
    def date_text(self) -> str:
        return cn_date(self.date)

    @property
    def paragraphs(self) -> list[str]:
        """Every line of text, in order (what a test reads back from the Word file)."""
        lines = [self.mark, self.code, self.title]
        if self.addressees:
            lines.append(self.addressees)
        return lines + [b.text for b in self.body] + [self.signature, self.date_text]


def _issuer() -> str:
    return settings.ZONEHUB_DOCUMENT_ISSUER


def _join(names) -> str:
    return "、".join(n for n in names if n)


# --- the three documents -------------------------------------------------------------------------

def meeting_notice(meeting: Meeting, *, items=None, invitations=None) -> OfficialDocument:
    """会议通知: when, where, what about, who attends, and how to answer."""
    items = list(meeting.items.order_by("position", "pk")) if items is None else items
    invitations = list(meeting.invitations.select_related("department")) if invitations is None else invitations
    departments = [i.department.name for i in invitations]
    heads = [h.display_name for h in meeting.heads.all()]
    enterprises = [e.name for e in meeting.enterprises.all()]
    when = cn_datetime(meeting.starts_at)
    body = [Block(f"为{meeting.purpose.rstrip('。')}，经研究，定于{when}召开{meeting.title}。现将有关事项通知如下："),
            Block("一、会议时间", 1), Block(when),
            Block("二、会议地点", 1), Block(str(meeting.where) or "另行通知"),
            Block("三、会议议题", 1)]
    body += [Block(f"{i}. {item.title}") for i, item in enumerate(items, start=1)]
    body.append(Block("四、参会单位及人员", 1))
    if departments:
        body.append(Block(f"部门：{_join(departments)}，请各派熟悉情况的负责同志参会。"))
    if heads:
        body.append(Block(f"工作站站长：{_join(heads)}。"))
    if enterprises:
        body.append(Block(f"企业：{_join(enterprises)}。"))
    body.append(Block("五、有关要求", 1))
    reply_by = cn_date(local_date(meeting.starts_at) - dt.timedelta(days=1))
    body.append(Block(f"请各参会单位于{reply_by}前在ZoneHub确认参会人员（姓名、职务）；确有特殊情况不能参会的，请说明理由。"))
    if meeting.convened_by_id:
        contact = meeting.convened_by.display_name + (f"，电话：{meeting.convened_by.phone}" if meeting.convened_by.phone else "")
        body.append(Block(f"联系人：{contact}。"))
    return OfficialDocument(
        mark=f"{_issuer()}文件", code=meeting.notice_code, title=f"关于召开{meeting.title}的通知",
        addressees=f"{_join(departments + enterprises) or '各有关单位'}：", body=body, signature=_issuer(),
        date=local_date(meeting.convened_at or meeting.created_at), printer=_issuer(),
        filename=f"会议通知-{meeting.notice_code or meeting.pk}")


def _decision_line(decision: Decision) -> str:
    text = decision.text.rstrip("。；;.")
    return (f"{text}。责任单位：{decision.owner_name}；完成时限：{cn_deadline(decision.due_at)}前"
            f"（{decision.working_days}个工作日）。")


def meeting_minutes(meeting: Meeting, *, items=None, decisions=None) -> OfficialDocument:
    """会议纪要: who attended, each item and what was said, the decisions with their owners and
    deadlines."""
    items = list(meeting.items.order_by("position", "pk")) if items is None else items
    decisions = list(meeting.decisions.select_related("department", "steward__user")
                     .order_by("position", "pk")) if decisions is None else decisions
    chair = meeting.convened_by.display_name if meeting.convened_by_id else _issuer()
    body = [Block(f"{cn_datetime(meeting.starts_at)}，{chair}在{meeting.where or '会议室'}主持召开{meeting.title}，"
                  f"研究{meeting.purpose.rstrip('。')}有关问题。现将会议议定事项纪要如下：")]
    body += [Block("一、参会人员", 1), Block(meeting.attendees or "—")]
    body.append(Block("二、议题及讨论情况", 1))
    for i, item in enumerate(items, start=1):
        body.append(Block(f"（{cn_ordinal(i)}）{item.title}", 2))
        if item.discussion:
            body += [Block(line) for line in item.discussion.splitlines() if line.strip()]
    body.append(Block("三、议定事项", 1))
    if decisions:
        body += [Block(f"（{cn_ordinal(i)}）{_decision_line(d)}") for i, d in enumerate(decisions, start=1)]
    else:
        body.append(Block("本次会议无议定事项。"))
    if meeting.summary:
        body.append(Block("四、其他事项", 1))
        body += [Block(line) for line in meeting.summary.splitlines() if line.strip()]
    body.append(Block("各责任单位须在完成时限内办结议定事项，并在ZoneHub上传办结材料；逾期未办结的，按规定督办并计入月度考核。"))
    departments = sorted({d.department.name for d in decisions if d.department_id}
                         | {i.department.name for i in meeting.invitations.select_related("department")})
    return OfficialDocument(
        mark=f"{_issuer()}会议纪要", code=meeting.minutes_code, title=f"{meeting.title}纪要", body=body,
        signature=_issuer(), date=local_date(meeting.minutes_at or meeting.starts_at), copy_to=_join(departments),
        printer=_issuer(), filename=f"会议纪要-{meeting.minutes_code or meeting.pk}")


def supervision_notice(notice: SupervisionNotice) -> OfficialDocument:
    """督办通知书: what is late, what must be done, by when."""
    if notice.escalation_id:
        escalation = notice.escalation
        request = escalation.request
        owner = escalation.department.name
        what = (f"{cn_date(escalation.sent_at)}交办你单位的企业诉求“{request.title}”（{request.enterprise.name}，"
                f"诉求编号#{request.pk}），答复时限为{cn_deadline(escalation.due_at)}")
        due = escalation.due_at
    else:
        decision = notice.decision
        owner = decision.owner_name
        what = (f"{decision.meeting.title}（{decision.meeting.minutes_code}）议定由你单位办理的事项“"
                f"{decision.text.rstrip('。')}”，完成时限为{cn_deadline(decision.due_at)}")
        due = decision.due_at
    late = due <= notice.issued_at
    state = "已超过办理时限，至今未办结" if late else "即将到期，尚未办结"
    body = [Block(f"{what}。经查，该事项{state}。"),
            Block("一、督办事项", 1), Block(notice.reason),
            Block("二、办理要求", 1),
            Block(f"请你单位高度重视，于{cn_deadline(notice.respond_by)}前办结，并在ZoneHub反馈办理结果；"
                  "确有困难的，请书面说明原因及措施。")]
    if notice.sequence >= 2:
        body.append(Block(f"此件为第{cn_ordinal(notice.sequence)}次督办，同时报送管委会领导。"))
    body.append(Block("督办情况将计入你单位月度考核。"))
    return OfficialDocument(
        mark=f"{_issuer()}文件", code=notice.code, title="督办通知书", addressees=f"{owner}：", body=body,
        signature=_issuer(), date=local_date(notice.issued_at), printer=_issuer(),
        copy_to="管委会领导" if notice.leaders_told else "", filename=notice.code or f"督办-{notice.pk}")


# --- Word, per GB/T 9704-2012 -------------------------------------------------------------------

def _fonts(run, east_asia: str, size: float, *, color: str | None = None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = LATIN
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)


def _paragraph(doc, text: str = "", *, font: str = FANGSONG, size: float = SIZE_BODY, align=None,
               indent_chars: float = 0, color: str | None = None, space_before: float = 0, right_chars: float = 0,
               exact: bool = True):
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(space_before), Pt(0)
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(max(LINE_PITCH, size * 1.2))
    if align is not None:
        p.alignment = align
    if indent_chars:
        fmt.first_line_indent = Pt(SIZE_BODY * indent_chars)
    if right_chars:
        fmt.right_indent = Pt(SIZE_BODY * right_chars)
    if text:
        _fonts(p.add_run(text), font, size, color=color)
    return p


def _border(paragraph, side: str, *, color: str, size_eighths: int, space_pt: int = 0) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size_eighths))
    line.set(qn("w:space"), str(space_pt))
    line.set(qn("w:color"), color)
    borders.append(line)


def _page_number(footer, *, odd: bool) -> None:
    """"— N —" in 宋体 四号: odd pages right, even pages left, one character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    if odd:
        p.paragraph_format.right_indent = Pt(SIZE_PAGE_NUMBER)
    else:
        p.paragraph_format.left_indent = Pt(SIZE_PAGE_NUMBER)
    _fonts(p.add_run("— "), SONGTI, SIZE_PAGE_NUMBER)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = p.add_run()
        _fonts(run, SONGTI, SIZE_PAGE_NUMBER)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text.strip() == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text
    _fonts(p.add_run(" —"), SONGTI, SIZE_PAGE_NUMBER)


def to_docx(document: OfficialDocument) -> bytes:
    """The document as a Word file laid out per GB/T 9704-2012 (see the module's docstring)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    doc.core_properties.title = document.title
    doc.core_properties.author = document.signature
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(21)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = Pt(SIZE_BODY)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)

    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    # 版头: the mark 35 mm below the type area's top edge, the number two lines below, the red rule.
    mark = _paragraph(doc, document.mark, font=XIAOBIAOSONG, size=document.mark_size, align=center, color=RED,
                      space_before=35 / 25.4 * 72 - LINE_PITCH, exact=False)
    mark.paragraph_format.space_after = Pt(LINE_PITCH * 2)
    number = _paragraph(doc, document.code, align=center)
    _border(number, "bottom", color=RED, size_eighths=12, space_pt=11)
    # 主体: the title two lines below the rule, the addressees, the body.
    _paragraph(doc, document.title, font=XIAOBIAOSONG, size=SIZE_TITLE, align=center, space_before=LINE_PITCH * 2)
    if document.addressees:
        _paragraph(doc, document.addressees, space_before=LINE_PITCH)
    for i, block in enumerate(document.body):
        font = {1: HEITI, 2: KAITI}.get(block.level, FANGSONG)
        _paragraph(doc, block.text, font=font, indent_chars=2, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                   space_before=LINE_PITCH if i == 0 and not document.addressees else 0)
    # 落款: the issuing body and the date, four characters in from the right.
    _paragraph(doc, document.signature, align=right, right_chars=4, space_before=LINE_PITCH * 2)
    _paragraph(doc, document.date_text, align=right, right_chars=4)
    # 版记: 抄送, then 印发机关和印发日期, between black rules.
    if document.copy_to or document.printer:
        first = None
        if document.copy_to:
            first = _paragraph(doc, f"抄送：{document.copy_to}。", size=14, space_before=LINE_PITCH * 2)
            first.paragraph_format.left_indent = Pt(14)
        printed = _paragraph(doc, f"{document.printer}　　{document.date_text}印发", size=14,
                             space_before=0 if first is not None else LINE_PITCH * 2)
        printed.paragraph_format.left_indent = Pt(14)
        _border(first if first is not None else printed, "top", color="000000", size_eighths=8)
        _border(printed, "bottom", color="000000", size_eighths=8)
    # Page numbers: odd and even pages differ.
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, odd=True)
    _page_number(section.even_page_footer, odd=False)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

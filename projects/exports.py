"""The five-key list as an Excel workbook, through the shared streaming export (write-only).
Headers in Chinese whatever the user's language: the sheet replaces the one on the wall.

Dates read as on the board and in the notifications (zonehub.dates): a node's dates inside the
node column as text (2026年6月28日), the lagging spell's first day as a real date cell shown the
same way (it sorts and filters)."""

from __future__ import annotations

from projects.progress import Status
from zonehub.dates import cn_date
from zonehub.exports import xlsx_response

HEADERS = ["序号", "类别", "任务名称", "目标", "牵头领导", "责任单位", "配合单位", "节点（计划日期 / 完成日期）",
           "完成节点", "应完成节点", "时序进度", "滞后或逾期完成节点", "滞后或逾期工作日", "滞后起始日"]
CATEGORY_ZH = {"enterprises": "重点企业", "investment": "重大招商", "projects": "重大项目", "reforms": "重大改革",
               "work": "重点工作"}


def _node_line(entry) -> str:
    """One node as the wall chart writes it: 方案制定（2026年1月20日 / 2026年2月6日，逾期13个工作日完成）."""
    node = entry.node
    if node.completed_on is None:
        done = "未完成"
        if entry.is_late:
            done += f"，滞后{entry.workdays_late}个工作日"
    else:
        done = cn_date(node.completed_on)
        if entry.is_done_late:
            done += f"，逾期{entry.workdays_late}个工作日完成"
    return f"{node.name}（{entry.dates_text} / {done}）"


def _status(progress) -> str:
    return str(Status(progress.status).label)


def _worst(progress) -> str:
    if progress.worst is None:
        return ""
    if progress.status == Status.DONE_LATE:
        return f"{progress.worst.node.name}（逾期完成）"
    return progress.worst.node.name


def _board_rows(board: dict):
    return enumerate(board["rows"], start=1)


def _board_columns() -> list:
    def item(f):
        return lambda pair: f(pair[1].item)

    def progress(f):
        return lambda pair: f(pair[1].progress)

    values = [
        lambda pair: pair[0], item(lambda i: CATEGORY_ZH[i.category]), item(lambda i: i.title), item(lambda i: i.goal),
        item(lambda i: i.lead_leader.display_name),
        item(lambda i: i.responsible_unit.name if i.responsible_unit else "待认领"),
        item(lambda i: "、".join(u.name for u in i.cooperating_units.all())),
        progress(lambda p: "\n".join(_node_line(entry) for entry in p.nodes)),
        progress(lambda p: p.completed), progress(lambda p: p.due), progress(_status),
        progress(_worst), progress(lambda p: p.workdays_late or ""), progress(lambda p: p.lagging_since),
    ]
    return list(zip(HEADERS, values, strict=True))


def board_response(board: dict, *, year: int):
    """The board as the wall chart's spreadsheet, streamed by the shared export (zonehub.exports)
    as the rows are read (``selectors.fivekey_board_stream``)."""
    return xlsx_response(_board_rows(board), _board_columns(), filename=f"{year}年五重清单", title=f"{year}年五重清单",
                         heading=f"{year}年“五重”任务清单", wrap=True)


def board_print_chunks(board: dict, *, year: int, printed_on):
    """The wall chart's print as HTML pieces, in the board's order, as the rows are read: the page
    head, then for each category its heading and counts, its rows, and its end (one A3 page each)."""
    from django.template.loader import render_to_string

    yield render_to_string("projects/print/head.html", {"year": year})
    rows = iter(board["rows"])
    pending = next(rows, None)
    for group in board["groups"]:
        yield render_to_string("projects/print/section_start.html",
                               {"group": group, "year": year, "printed_on": printed_on})
        number = 0
        while pending is not None and pending.item.category == group["category"].value:
            number += 1
            yield render_to_string("projects/print/row.html", {"row": pending, "number": number})
            pending = next(rows, None)
        yield render_to_string("projects/print/section_end.html", {"empty": number == 0})
    yield "</body></html>\n"


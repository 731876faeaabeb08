"""The five-key list as an Excel workbook, through the shared streaming export (write-only).
Headers in Chinese whatever the user's language: the sheet replaces the one on the wall."""

from __future__ import annotations

from zonehub.exports import xlsx_response

HEADERS = ["序号", "类别", "任务名称", "目标", "牵头领导", "责任单位", "配合单位", "节点（计划日期 / 完成日期）",
           "完成节点", "应完成节点", "时序进度", "滞后节点", "滞后工作日"]
STATUS_ZH = {"lagging": "滞后", "on_schedule": "正常", "ahead": "超前"}
CATEGORY_ZH = {"enterprises": "重点企业", "investment": "重大招商", "projects": "重大项目", "reforms": "重大改革",
               "work": "重点工作"}


def _node_line(node) -> str:
    done = node.completed_on.strftime("%Y-%m-%d") if node.completed_on else "未完成"
    return f"{node.name}（{node.planned_date:%Y-%m-%d} / {done}）"


def _board_rows(board: dict):
    number = 0
    for group in board["groups"]:
        for row in group["rows"]:
            number += 1
            yield number, row


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
        item(lambda i: "\n".join(_node_line(n) for n in i.nodes.all())),
        progress(lambda p: p.completed), progress(lambda p: p.due), progress(lambda p: STATUS_ZH[p.status]),
        progress(lambda p: p.worst.node.name if p.worst else ""), progress(lambda p: p.workdays_late or ""),
    ]
    return list(zip(HEADERS, values, strict=True))


def board_response(board: dict, *, year: int):
    """The board as the wall chart's spreadsheet, streamed by the shared export (zonehub.exports)."""
    return xlsx_response(_board_rows(board), _board_columns(), filename=f"{year}年五重清单", title=f"{year}年五重清单",
                         heading=f"{year}年“五重”任务清单", wrap=True)

"""The offers-and-needs sheet on the Excel import (the enterprises' machinery: template, upload,
preview with every row's problems, confirm, all rows or none).

One row is one line of what an enterprise sells (类型 供应) or buys (需求). A row is matched to the
enterprise's active line for the same product, so importing the same sheet again updates instead of
duplicating (an unchanged sheet changes nothing); nothing is withdrawn by an import. Every write
goes through ``supply.services`` as a page's would. The headers are those of the offers' and needs'
exports, so an exported list can be edited and imported again. Registered in ``SupplyConfig.ready()``.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from enterprises.imports import CheckResult, Importer, RowFailed, RowPlan, cell_text
from enterprises.imports.checks import chunks
from enterprises.models import Enterprise, ImportBatch
from supply import services
from supply.models import Product, Source, SupplyNeed, SupplyOffer

KIND = "supply"
COLUMNS = [
    ("kind", "类型", True),
    ("enterprise", "企业", True),
    ("credit_code", "统一社会信用代码", False),
    ("chain", "产业链", False),
    ("link", "环节", False),
    ("product", "产品", True),
    ("amount", "年量", True),
    ("unit", "单位", False),
    ("source", "当前来源", False),
    ("unit_price", "单价（元）", False),
    ("note", "备注", False),
]
HEADERS = {key: header for key, header, _required in COLUMNS}
COLUMN_HELP = {
    "kind": "必填。供应（企业对外销售）或 需求（企业采购）。",
    "enterprise": "必填。企业名称，须已在系统中。",
    "credit_code": "可填。填写时按统一社会信用代码识别企业。",
    "chain": "可填。同名产品在多条产业链上时用于区分。",
    "link": "可填。同名产品在多个环节上时用于区分。",
    "product": "必填。产业链图谱中的产品名称，见下方“产品”列表。",
    "amount": "必填。供应填年供应能力，需求填年需求量，单位为环节的单位（如吨）。",
    "unit": "不必填：按环节的单位计。",
    "source": "需求必填：区内、省内其他地区、省外、进口 之一。",
    "unit_price": "可填。单位：元。仅本企业、其服务管家和运营中心可见。",
    "note": "可填，200字以内。",
}
KINDS = {"供应": services.OFFER, "供给": services.OFFER, "offer": services.OFFER,
         "需求": services.NEED, "采购": services.NEED, "need": services.NEED}


def _source_words() -> dict[str, str]:
    table = {value: value for value in Source.values}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            table.update({str(label): value for value, label in Source.choices})
    table.update({"区内": Source.ZONE, "园区内": Source.ZONE, "省内": Source.PROVINCE, "省外": Source.OUTSIDE,
                  "国外": Source.IMPORTED})
    return table


def _product_label(product: Product) -> str:
    return f"{product.link.chain.name}·{product.link.name}·{product.name}"


class SupplySheet(Importer):
    kind = KIND
    sheet_title = "供需清单"
    template_filename = "供需清单导入模板.xlsx"
    columns = COLUMNS
    column_help = COLUMN_HELP
    text_columns = frozenset({"credit_code"})

    def template_lists(self):
        with translation.override("zh-hans"):
            sources = [str(label) for _value, label in Source.choices]
        products = Product.objects.select_related("link__chain").order_by("link__chain__order", "link__position", "name")
        return [("类型", ["供应", "需求"]), ("当前来源", sources), ("产品", [_product_label(p) for p in products])]

    def check(self, rows, *, progress=None) -> CheckResult:
        result = CheckResult()
        sources = _source_words()
        products = defaultdict(list)
        for product in Product.objects.select_related("link__chain"):
            products[product.name].append(product)
        names = {cell_text(v.get("enterprise")) for _n, v in rows} - {""}
        codes = {cell_text(v.get("credit_code")).upper() for _n, v in rows} - {""}
        by_name, by_code = {}, {}
        for chunk in chunks(names):
            by_name.update({e.name: e for e in Enterprise.objects.filter(name__in=chunk)})
        for chunk in chunks(codes):
            by_code.update({e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=chunk)})
        existing = {}
        ids = [e.pk for e in {**by_name, **by_code}.values()]
        for model, kind in ((SupplyOffer, services.OFFER), (SupplyNeed, services.NEED)):
            for chunk in chunks(ids):
                for row in model.objects.filter(enterprise_id__in=chunk, is_active=True).select_related("product", "link"):
                    existing[(kind, row.enterprise_id, row.product_id)] = row
        seen: dict[tuple, int] = {}
        for done, (number, raw) in enumerate(rows, start=1):
            before = len(result.errors)
            kind = KINDS.get(cell_text(raw.get("kind")))
            if kind is None:
                result.error(number, HEADERS["kind"], _("Write 供应 (what the enterprise sells) or 需求 (what it buys)."))
            code, name = cell_text(raw.get("credit_code")).upper(), cell_text(raw.get("enterprise"))
            enterprise = by_code.get(code) if code else by_name.get(name)
            if enterprise is None:
                result.error(number, HEADERS["credit_code" if code else "enterprise"],
                             _("%(value)s is not an enterprise of the zone.") % {"value": code or name or "—"})
            elif code and name and enterprise.name != name:
                result.error(number, HEADERS["enterprise"], _("The credit code belongs to %(name)s.")
                             % {"name": enterprise.name})
            product = self._product(result, number, raw, products)
            source = None
            if kind == services.NEED:
                source = sources.get(cell_text(raw.get("source")))
                if source is None:
                    result.error(number, HEADERS["source"], _("Write where it is bought now: 区内, 省内其他地区, 省外 "
                                                             "or 进口."))
            values = {}
            if product is not None and kind is not None:
                try:
                    values = services.declaration_check(
                        kind, product=product, amount=cell_text(raw.get("amount")),
                        unit_price=cell_text(raw.get("unit_price")), note=cell_text(raw.get("note")),
                        current_source=source)
                except ValidationError as exc:
                    header_of = {"yearly_capacity": "amount", "yearly_volume": "amount", "unit_price": "unit_price",
                                 "note": "note", "current_source": "source", "product": "product"}
                    named = {e["column"] for e in result.errors[before:]}
                    for field, messages in exc.message_dict.items():
                        header = HEADERS[header_of.get(field, "product")]
                        if header not in named:
                            for message in messages:
                                result.error(number, header, message)
            if enterprise is not None and product is not None and kind is not None:
                key = (kind, enterprise.pk, product.pk)
                if key in seen:
                    result.error(number, HEADERS["product"], _("The same line is already on row %(row)d.")
                                 % {"row": seen[key]})
                else:
                    seen[key] = number
            if progress:
                progress(done)
            if len(result.errors) > before:
                continue
            line = existing.get((kind, enterprise.pk, product.pk))
            label = f"{'供应' if kind == services.OFFER else '需求'} {enterprise.name} {product.name}"
            plan = RowPlan(row=number, action="create", label=label, values={"kind": kind, "enterprise": enterprise,
                                                                             **values}, existing=line)
            if line is not None:
                plan.changed = [k for k, v in values.items() if k != "product" and getattr(line, k) != v]
                plan.action = "update" if plan.changed else "unchanged"
            result.plans.append(plan)
        return result

    @staticmethod
    def _product(result, number, raw, products) -> Product | None:
        name = cell_text(raw.get("product"))
        chain, link = cell_text(raw.get("chain")), cell_text(raw.get("link"))
        found = [p for p in products.get(name, []) if (not chain or p.link.chain.name == chain)
                 and (not link or p.link.name == link)]
        if not found:
            result.error(number, HEADERS["product"], _("%(value)s is not a product of the chain map: use one listed on "
                                                       "the template's second sheet.") % {"value": name or "—"})
            return None
        if len(found) > 1:
            result.error(number, HEADERS["link"], _("%(value)s is on several links: give its chain and link.")
                         % {"value": name})
            return None
        return found[0]

    def apply(self, result: CheckResult, *, actor, batch: ImportBatch) -> None:
        # Each link's roll-ups are counted once for the sheet, not once per line.
        with services.rollups_deferred():
            self._apply(result, actor=actor)

    def _apply(self, result: CheckResult, *, actor) -> None:
        for plan in result.plans:
            if plan.action == "unchanged":
                continue
            values = dict(plan.values)
            kind, enterprise = values.pop("kind"), values.pop("enterprise")
            try:
                if kind == services.OFFER:
                    if plan.action == "create":
                        services.offer_declare(actor=actor, enterprise=enterprise, **values)
                    else:
                        services.offer_update(offer=plan.existing, actor=actor, **values)
                elif plan.action == "create":
                    services.need_declare(actor=actor, enterprise=enterprise, **values)
                else:
                    services.need_update(need=plan.existing, actor=actor, **values)
            except ValidationError as exc:
                raise RowFailed(plan.row, "", exc.messages) from exc

"""The chain map: its links and products (kept by the operations centre), and a gap turned into an
investment target in one step (a 重大招商 item on the five-key list, through projects' service)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import services as projects_services
from projects.models import Category
from supply.events import SupplyEvent
from supply.models import ChainLink, Product
from supply.services._shared import is_leader, is_operations, text_in
from zonehub.events import record_event
from zonehub.permissions import require


@transaction.atomic
def link_create(*, actor, chain, name: str, position: int | None = None, unit: str = "吨",
                description: str = "") -> ChainLink:
    """A new link of ``chain``; without a position it goes downstream of the others."""
    require(is_operations(actor), _("Only the operations centre keeps the chain map."))
    name = text_in(name, "name", limit=60, required=True, message=_("Name the link."))
    unit = text_in(unit, "unit", limit=10, required=True, message=_("Give the unit its volumes are counted in."))
    description = text_in(description, "description", limit=200)
    if position is None:
        last = ChainLink.objects.filter(chain=chain).order_by("-position").values_list("position", flat=True).first()
        position = (last or 0) + 1
    if not isinstance(position, int) or not 0 <= position <= 999:
        raise ValidationError({"position": _("Give a whole number between 0 and 999.")})
    if ChainLink.objects.filter(chain=chain, name=name).exists():
        raise ValidationError({"name": _("This chain already has a link of that name.")})
    link = ChainLink.objects.create(chain=chain, name=name, position=position, unit=unit, description=description)
    record_event(link, actor=actor, kind=SupplyEvent.LINK_ADDED, note=f"{chain.name} · {name}")
    return link


@transaction.atomic
def product_create(*, actor, link: ChainLink, name: str) -> Product:
    require(is_operations(actor), _("Only the operations centre keeps the chain map."))
    name = text_in(name, "name", limit=60, required=True, message=_("Name the product."))
    if Product.objects.filter(link=link, name=name).exists():
        raise ValidationError({"name": _("This link already has a product of that name.")})
    try:
        with transaction.atomic():
            product = Product.objects.create(link=link, name=name)
    except IntegrityError:
        raise ValidationError({"name": _("This link already has a product of that name.")}) from None
    record_event(product, root=link, actor=actor, kind=SupplyEvent.PRODUCT_ADDED, note=name)
    return product


@transaction.atomic
def gap_target_create(*, actor, link: ChainLink, year: int, lead_leader, responsible_unit=None, title: str = "",
                      goal: str = ""):
    """A gap of the chain becomes an investment target in one step: a 重大招商 five-key item (the
    projects app's service, which checks the leader and the year), linked back from the link."""
    require(is_leader(actor), _("Only leaders make a gap an investment target."))
    # Only the link's row is locked (PostgreSQL locks no row of the nullable side of a join).
    link = ChainLink.objects.select_for_update(of=("self",)).select_related("chain", "target").get(pk=link.pk)
    if link.target_id is not None:
        raise ValidationError(_("This link is already an investment target: %(title)s.") % {"title": link.target.title})
    title = text_in(title, "title", limit=200) or _("Attract investment for %(link)s (%(chain)s chain)") % {
        "link": link.name, "chain": link.chain.name}
    goal = (goal or "").strip() or _("Fill the gap of the %(chain)s chain at the link %(link)s, shown on the chain "
                                     "map (产业链图谱).") % {"chain": link.chain.name, "link": link.name}
    item = projects_services.fivekey_item_create(
        actor=actor, category=Category.INVESTMENT, year=year, title=title[:200], goal=goal, lead_leader=lead_leader,
        responsible_unit=responsible_unit)
    link.target, link.target_set_at = item, timezone.now()
    link.save(update_fields=["target", "target_set_at"])
    record_event(link, actor=actor, kind=SupplyEvent.GAP_TARGETED, note=item.title, data={"item": item.pk})
    return item

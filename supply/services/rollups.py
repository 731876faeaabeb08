"""The roll-ups of offers and needs (``NeedTally``, ``OfferTally``): counted again, set-based, for
the links a change touches, in the transaction of the change, so a page reads a few hundred rows
that always equal the offers and needs themselves.

Each refresh locks its links' rows first (in id order), so two changes on one link are counted one
after the other and neither loses the other's row. The Excel import refreshes each link once for
the whole sheet (``rollups_deferred``); the demo, the bench seed and the migration count every
link with the same function.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from supply.models import ChainLink, NeedTally, OfferTally, SupplyNeed, SupplyOffer
from zonehub.workdays import local_date

NEEDS = "needs"
OFFERS = "offers"

# The links (and kinds) a batch will count once at its end, when one is open (``rollups_deferred``).
_pending: contextvars.ContextVar[dict | None] = contextvars.ContextVar("supply_rollups_pending", default=None)


def _month(instant):
    return None if instant is None else local_date(instant).replace(day=1)


@transaction.atomic
def rollups_recount(link_ids: Iterable[int] | None = None, *, kinds: Iterable[str] = (NEEDS, OFFERS)) -> None:
    """Count the needs and the offers of ``link_ids`` (every link when None) again. A few grouped
    statements, whatever the number of links."""
    kinds = set(kinds)
    links = ChainLink.objects.order_by("pk")
    if link_ids is not None:
        link_ids = sorted(set(link_ids))
        if not link_ids:
            return
        links = links.filter(pk__in=link_ids)
    ids = list(links.select_for_update().values_list("pk", flat=True))
    if NEEDS in kinds:
        totals: dict = {}
        for row in (SupplyNeed.objects.filter(link_id__in=ids).order_by()
                    .annotate(d=TruncMonth("created_at"), w=TruncMonth("withdrawn_at"))
                    .values("link_id", "current_source", "d", "w").annotate(volume=Sum("yearly_volume"), n=Count("id"))):
            # Months are truncated in local time; rows of one local month are added up here.
            key = (row["link_id"], row["current_source"], _month(row["d"]), _month(row["w"]))
            volume, n = totals.get(key, (0, 0))
            totals[key] = (volume + row["volume"], n + row["n"])
        NeedTally.objects.filter(link_id__in=ids).delete()
        NeedTally.objects.bulk_create([
            NeedTally(link_id=link, current_source=source, declared=declared, withdrawn=withdrawn, volume=volume,
                      needs=n) for (link, source, declared, withdrawn), (volume, n) in totals.items()], batch_size=1000)
    if OFFERS in kinds:
        rows = {row["link_id"]: row for row in (
            SupplyOffer.objects.filter(link_id__in=ids, is_active=True).order_by().values("link_id")
            .annotate(capacity=Sum("yearly_capacity"), offers=Count("id"), suppliers=Count("enterprise_id", distinct=True)))}
        OfferTally.objects.filter(link_id__in=ids).delete()
        OfferTally.objects.bulk_create([
            OfferTally(link_id=link, offers=row["offers"], suppliers=row["suppliers"], capacity=row["capacity"])
            for link, row in rows.items()], batch_size=1000)


def rollups_touch(kind: str, *link_ids: int) -> None:
    """A change to ``kind`` (NEEDS or OFFERS) on ``link_ids``: counted now, or at the end of the
    batch that is open."""
    pending = _pending.get()
    if pending is None:
        rollups_recount(link_ids, kinds=(kind,))
    else:
        pending.setdefault(kind, set()).update(link_ids)


@contextlib.contextmanager
def rollups_deferred() -> Iterator[None]:
    """Within the block, changes are counted once per link when it ends (in the same transaction
    when the block runs in one): an import of many lines counts each link once."""
    if _pending.get() is not None:  # already in a batch: the outer one counts
        yield
        return
    pending: dict = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for kind, ids in pending.items():
        rollups_recount(ids, kinds=(kind,))

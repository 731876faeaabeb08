"""Pagination whose cost does not grow with the table.

Counting every matching row is what makes a list page slow on a large zone: PostgreSQL counts a
million rows in tens of milliseconds however few are shown. Lists count at most ``COUNT_CAP`` rows
(a ``LIMIT`` inside the ``COUNT``); beyond that the page says "10000+" and offers the pages up to
the cap — a filter narrows the rest down, and the Excel export always has every row.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


def count_cap() -> int:
    return getattr(settings, "ZONEHUB_LIST_COUNT_CAP", 10_000)


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if not hasattr(object_list, "query"):
            return super().count
        # Only the keys, unordered: counting needs neither a sort nor the annotations.
        return object_list.order_by().values("pk")[: count_cap() + 1].count()

    @property
    def count_is_capped(self) -> bool:
        return self.count > count_cap()

    @property
    def shown_count(self) -> int:
        return min(self.count, count_cap())


class CappedPageNumberPagination(PageNumberPagination):
    """DRF's page-number pagination with the same cap: ``count`` stops at the cap and
    ``count_capped`` says so; ``next`` keeps working up to the cap."""

    django_paginator_class = CappedPaginator
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response({
            "count": paginator.shown_count,
            "count_capped": paginator.count_is_capped,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_capped"] = {
            "type": "boolean", "description": "True when there are more rows than `count` (the count stops there).",
        }
        response["required"] = [*response.get("required", []), "count_capped"]
        return response

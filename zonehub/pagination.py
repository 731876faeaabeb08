"""Pagination whose cost does not grow with the table.

Counting every matching row is what makes a list page slow on a large zone: PostgreSQL counts a
million rows in tens of milliseconds however few are shown. Lists count at most ``COUNT_CAP`` rows
(a ``LIMIT`` inside the ``COUNT``); beyond that the page says "10000+" and offers the pages up to
the cap — a filter narrows the rest down, and the Excel export always has every row.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import CursorPagination, PageNumberPagination
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


class StableCursorPagination(CursorPagination):
    """Every row once, in a stable order (by id): the way for another system to walk a whole list.
    A row added meanwhile comes at the end; none is skipped or repeated, however large the list."""

    ordering = "pk"
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_ordering(self, request, queryset, view):
        return (self.ordering,)  # a sort asked for with ?ordering= would not be stable


class CappedPageNumberPagination(PageNumberPagination):
    """DRF's page-number pagination that never states a wrong count: ``count`` is exact up to the
    cap, and ``null`` beyond it with ``count_capped`` true (``next`` keeps working up to the cap).
    ``?cursor=`` (empty for the first page) switches to cursor pagination: every row, in id order,
    with ``next`` links and no count at all."""

    django_paginator_class = CappedPaginator
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"

    def _cursor(self, request):
        if self.cursor_query_param in request.query_params:
            self.cursor_paginator = StableCursorPagination()
            self.cursor_paginator.page_size = self.get_page_size(request)
            return self.cursor_paginator
        self.cursor_paginator = None
        return None

    def paginate_queryset(self, queryset, request, view=None):
        cursor = self._cursor(request)
        if cursor is not None:
            return cursor.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.cursor_paginator is not None:
            return self.cursor_paginator.get_paginated_response(data)
        paginator = self.page.paginator
        return Response({
            "count": None if paginator.count_is_capped else paginator.count,
            "count_capped": paginator.count_is_capped,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"] = {
            "type": "integer", "nullable": True, "example": 123,
            "description": "The exact number of rows, or null when there are more than the cap "
                           "(then `count_capped` is true; walk them all with `?cursor=`).",
        }
        response["properties"]["count_capped"] = {
            "type": "boolean", "description": "True when there are more rows than the count cap: `count` is null.",
        }
        response["required"] = [*response.get("required", []), "count_capped"]
        return response

    def get_schema_operation_parameters(self, view):
        return [*super().get_schema_operation_parameters(view), {
            "name": self.cursor_query_param, "required": False, "in": "query",
            "description": "Cursor pagination: every row in id order. Pass it empty for the first page, "
                           "then follow `next`.",
            "schema": {"type": "string"},
        }]

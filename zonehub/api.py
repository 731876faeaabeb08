"""What every API view shares: the scoped base viewset and the error format. The filter backend,
which hands each list's FilterSet the user, is ``zonehub.filters.FilterBackend`` (DRF imports it
from the settings while loading its views, so it cannot live here, beside them)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, viewsets
from rest_framework.views import exception_handler as drf_exception_handler


class ScopedViewSetMixin:
    """Start every queryset from ``visible_to(request.user)``: one choke point for scoping.
    Subclasses set ``queryset``; missing and not-yours both give 404."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


def exception_handler(exc, context):
    """Service errors become API errors: a Django ValidationError is a 400 with its messages,
    PermissionDenied a 403; nothing a user sends becomes a 500."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"detail": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)

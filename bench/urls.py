"""The bench's URLconf: the product's, plus the floor the submission form is compared with."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import path

from zonehub.models import User
from zonehub.urls import handler403, handler404, handler500  # noqa: F401
from zonehub.urls import urlpatterns as product_urlpatterns


@login_required
def floor(request):
    """The floor: a logged-in view that reads one row, through the same middleware as every page."""
    return JsonResponse({"username": User.objects.values_list("username", flat=True).get(pk=request.user.pk)})


urlpatterns = [path("bench/floor/", floor), *product_urlpatterns]

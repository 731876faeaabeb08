from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from portal.selectors import home_context
from projects.services import fivekey_progress_refresh_stale
from zonehub.models import Role
from zonehub.workdays import local_date


@login_required
def home(request):
    """Each role's home page: what needs it today, from every app's panels."""
    if request.user.effective_role in (Role.LEADER, Role.ADMIN):
        # The five-key panel counts from the progress stored on the items: made today's first,
        # as the board does (a write, so here and not in the panels' selectors).
        fivekey_progress_refresh_stale(year=local_date(timezone.now()).year)
    return render(request, "portal/home.html", home_context(request.user))

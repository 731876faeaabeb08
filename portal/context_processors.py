from django.utils.functional import SimpleLazyObject

from portal.navigation import nav_for


def navigation(request):
    """The header's menu for the signed-in user (portal/navigation.py), built when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_items": SimpleLazyObject(lambda: nav_for(user))}

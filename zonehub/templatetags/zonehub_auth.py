from django import template

from zonehub import auth

register = template.Library()


@register.simple_tag(takes_context=True)
def login_summary(context):
    """The earlier logins of this session's account, as read when it logged in (zonehub.auth)."""
    request = context.get("request")
    return auth.login_summary_from_session(getattr(request, "session", None))

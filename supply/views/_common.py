"""What the supply pages share: who may open them (declared once, read by the menu and the
permission matrix), and how a service's ValidationError reaches the form that caused it."""

from django.contrib import messages
from django.core.exceptions import ValidationError

from zonehub.models import Role

# The zone's staff who work with the chain map and the cases (enterprises have their own pages).
SUPPLY_STAFF = (Role.OPERATIONS, Role.STEWARD, Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN)
# Everyone supply concerns: the staff above and the enterprises (each its own rows).
SUPPLY_ALL = (Role.ENTERPRISE, *SUPPLY_STAFF)
# Who runs cases and contracts: the operations centre, and the administrator standing in.
OPERATIONS = (Role.OPERATIONS, Role.ADMIN)
# Who reads the figures.
FIGURES = (Role.OPERATIONS, Role.LEADER, Role.ADMIN)
# Who declares what an enterprise sells and buys.
DECLARERS = (Role.ENTERPRISE, Role.STEWARD, Role.WORKSTATION_HEAD, Role.OPERATIONS, Role.ADMIN)
# Who opens (or, as a steward, suggests) a case.
CASE_OPENERS = (Role.OPERATIONS, Role.STEWARD, Role.WORKSTATION_HEAD, Role.ADMIN)
# The steward side, who raises an obstacle as a request of the enterprise it serves.
STEWARD_SIDE = (Role.STEWARD, Role.WORKSTATION_HEAD, Role.ADMIN)
LEADERS = (Role.LEADER, Role.ADMIN)


def show_errors(form, exc: ValidationError) -> None:
    """A service's errors on the form's fields (or the form itself): what the user typed stays."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def fail(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)

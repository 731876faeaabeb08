from .calendar import CalendarDay, CalendarYear
from .events import Event
from .notifications import Notification
from .org import Department, Workstation
from .passwords import PasswordHistory
from .users import PasswordSetBy, Role, User

__all__ = [
    "CalendarDay",
    "CalendarYear",
    "Department",
    "Event",
    "Notification",
    "PasswordHistory",
    "PasswordSetBy",
    "Role",
    "User",
    "Workstation",
]

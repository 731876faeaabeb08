from .calendar import CalendarDay, CalendarYear
from .events import Event
from .notifications import Notification
from .org import Department, Workstation
from .users import Role, User

__all__ = [
    "CalendarDay",
    "CalendarYear",
    "Department",
    "Event",
    "Notification",
    "Role",
    "User",
    "Workstation",
]

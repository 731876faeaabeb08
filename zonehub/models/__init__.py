from .calendar import CalendarDay, CalendarYear
from .channels import Channel, DepartmentRobot, LoginCode, NotificationDelivery, NotificationSettings, Topic
from .events import Event
from .notifications import Notification
from .org import Department, Workstation
from .passwords import PasswordHistory
from .tallies import Tally
from .users import PasswordSetBy, Role, User

__all__ = [
    "CalendarDay",
    "CalendarYear",
    "Channel",
    "Department",
    "DepartmentRobot",
    "Event",
    "LoginCode",
    "Notification",
    "NotificationDelivery",
    "NotificationSettings",
    "PasswordHistory",
    "PasswordSetBy",
    "Role",
    "Tally",
    "Topic",
    "User",
    "Workstation",
]

from django.core.management.base import BaseCommand

from portal import demo
from zonehub.models import User


class Command(BaseCommand):
    help = ("Build the demo zone, every app's part in floor order (idempotent). "
            "With --if-empty, only when the database has no users.")

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true")
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")

    def handle(self, *args, if_empty=False, logins=False, **options):
        if not logins:
            if if_empty and User.objects.exists():
                self.stdout.write("database already has data; demo not loaded")
            else:
                demo.build()
                self.stdout.write("demo data ready")
        self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD}):")
        for username, role in demo.LOGIN_HELP:
            self.stdout.write(f"  {username:<12} {role}")

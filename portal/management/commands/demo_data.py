import logging
import time

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from portal import demo
from zonehub.models import User


class Command(BaseCommand):
    help = ("Build the demo zone: a year lived through the real services, every app's part in floor order "
            "(idempotent). With --if-empty, only when the database has no users.")

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true")
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")

    def handle(self, *args, if_empty=False, logins=False, **options):
        if not logins:
            if if_empty and User.objects.exists():
                self.stdout.write("database already has data; demo not loaded")
            else:
                self.stdout.write("building the demo zone: a year of its work, replayed (about a minute) …")
                started = time.monotonic()
                # The build runs some hundred thousand queries, not worth keeping in memory for
                # DEBUG's query log, and the year's sweeps and tasks log what they did each day.
                logging.disable(logging.INFO)
                try:
                    with override_settings(DEBUG=False):
                        demo.build()
                finally:
                    logging.disable(logging.NOTSET)
                self.stdout.write(f"demo data ready ({time.monotonic() - started:.0f} s)")
        self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD}):")
        for username, role in demo.LOGIN_HELP:
            self.stdout.write(f"  {username:<12} {role}")

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zonehub.settings.base")
application = get_wsgi_application()

# What the first request would otherwise pay for (URLconf, templates, translations, calendar).
from zonehub.warmup import warm_up  # noqa: E402

warm_up()

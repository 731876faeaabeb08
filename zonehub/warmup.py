"""What the first request of a web process would otherwise pay for: importing every view through
the URLconf, filling the reverse-lookup tables, compiling the templates and reading the
translation catalogue and the working-day calendar. ``zonehub.wsgi`` runs it when a web process
starts, so the first person to open a page after a restart waits no longer than the second
(``make bench`` measures it: ``first_view_ms``)."""

from __future__ import annotations

import contextlib
import gc
import logging
from importlib import import_module
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)


def warm_up() -> None:
    from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
    from django.template.loader import get_template
    from django.urls import get_resolver, reverse
    from django.utils import formats, translation
    from django.utils.module_loading import import_string

    get_resolver().url_patterns  # noqa: B018 -- imports every view module
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Home")
            # The reverse-lookup tables of every namespace, which Django keeps per language, and
            # each URL's check of what it reversed, a regular expression compiled on first use.
            reverse("home")
            _reverse_every_url(get_resolver())
            formats.get_format("DATE_FORMAT")  # the language's format module
    # What the first page imports on its way: the session store, the context processors, the
    # message storage.
    import_module(settings.SESSION_ENGINE)
    for engine in engines.all():
        engine.engine.template_context_processors  # noqa: B018 -- imports them
    import_string(settings.MESSAGE_STORAGE)
    # The templates, compiled once into the cached loader (DEBUG off; with DEBUG each request
    # reads them afresh anyway).
    for directory in _template_dirs():
        for path in directory.rglob("*.html"):
            try:
                get_template(str(path.relative_to(directory)))
            except (TemplateDoesNotExist, TemplateSyntaxError, UnicodeDecodeError):
                continue
    try:
        from django.utils import timezone

        from zonehub.workdays import WorkCalendar, local_date

        year = local_date(timezone.now()).year
        WorkCalendar.for_years({year - 1, year, year + 1})  # the years the process keeps (zonehub.workdays)
    except Exception:  # noqa: BLE001 -- a database not reachable yet must not stop the server starting
        logger.warning("warm-up: the working-day calendar could not be read yet", exc_info=True)
    finally:
        # A server that loads the app once and then forks its workers (gunicorn --preload) must not
        # hand them this process's database connection: two processes on one socket read each
        # other's answers. Each worker opens its own on its first query.
        from django.db import connections

        connections.close_all()
        # Everything loaded so far lives as long as the process: out of the collector's way, so
        # that the first requests do not pay for full collections over it (and forked workers
        # keep sharing its memory pages).
        gc.collect()
        gc.freeze()


def _reverse_every_url(resolver, path: str = "") -> None:
    """Reverse every named URL of our own namespaces once, with 1 for each argument. The admin's
    namespace only gets its table filled (a name that does not exist fills it just as well): its
    URLs would crowd ``re``'s cache of compiled expressions, which holds 512."""
    from django.urls import NoReverseMatch, reverse

    for name, possibilities in resolver.reverse_dict.lists():
        if not isinstance(name, str):
            continue
        for bits, _pattern, defaults, _converters in possibilities:
            for _result, params in bits:
                with contextlib.suppress(NoReverseMatch, ValueError, TypeError):
                    reverse(f"{path}{name}", kwargs={p: 1 for p in params if p not in defaults})
    for namespace, (_prefix, sub) in resolver.namespace_dict.items():
        if namespace == "admin":
            with contextlib.suppress(NoReverseMatch):
                reverse(f"{path}{namespace}:-warm-up-")
        else:
            _reverse_every_url(sub, f"{path}{namespace}:")


def _template_dirs() -> list[Path]:
    from django.apps import apps

    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    # Our own apps' templates; the admin's and DRF's are compiled when first used.
    dirs += [Path(app.path) / "templates" for app in apps.get_app_configs() if "site-packages" not in app.path]
    return [d for d in dirs if d.is_dir()]

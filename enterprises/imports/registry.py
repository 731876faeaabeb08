"""The kinds of sheet the Excel import knows, each an importer object registered by the app that
owns the rows it writes.

The import machinery (upload, check, preview, confirm, resume, progress, the pages and the
Celery tasks) lives in enterprises, the lowest domain app, and knows no sheet by name: an app
above it registers its importers from its ``AppConfig.ready()``::

    register_importer(MySheet())

so enterprises never imports the apps whose rows a sheet writes (the floors, STYLE.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from enterprises.imports.checks import CheckResult
    from enterprises.models import ImportBatch


class Importer:
    """One kind of sheet: its columns and template, how its rows are checked, how they are written.

    ``check`` reads only (it runs for the preview and again, against the data as it is then, right
    before ``apply``); ``apply`` runs inside the import's one transaction, so raising rolls every
    row back (raise ``RowFailed`` to name the row)."""

    kind: str = ""  # an ImportBatch.Kind value
    sheet_title: str = ""  # the template's first sheet
    template_filename: str = ""
    # (key, header, required): headers are a contract with the committee's own spreadsheets, so
    # they are Chinese whatever the user's language.
    columns: list[tuple[str, str, bool]] = []
    column_help: dict[str, str] = {}
    text_columns: frozenset[str] = frozenset()  # kept as text by Excel (credit codes, phones)
    yes_no_columns: frozenset[str] = frozenset()  # offered as a 是/否 list

    def template_lists(self) -> list[tuple[str, list[str]]]:
        """(title, values) of each list of allowed values on the template's second sheet."""
        return []

    def check(self, rows: list[tuple[int, dict]], *, progress=None) -> CheckResult:
        raise NotImplementedError

    def apply(self, result: CheckResult, *, actor, batch: ImportBatch) -> None:
        raise NotImplementedError


_IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    """Register (or replace: ``ready()`` may run twice in tests) the importer of its kind."""
    if not importer.kind:
        raise ValueError("an importer needs a kind")
    _IMPORTERS[importer.kind] = importer


def importer_for(kind: str) -> Importer | None:
    return _IMPORTERS.get(kind)


def importer_kinds() -> list[str]:
    return list(_IMPORTERS)

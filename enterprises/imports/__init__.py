"""Excel import of the committee's sheets (issue 6): the kind-independent part.

The committee keeps its enterprises and projects in spreadsheets. An administrator downloads the
template, uploads the filled sheet, reads a preview that names every bad row and column, and
confirms; the import is then all rows or none, in one transaction.

This package knows workbooks and the enterprise columns, and nothing above enterprises:

- ``registry``: the ``Importer`` of each kind of sheet, registered from the ``AppConfig.ready()``
  of the app owning what the sheet writes (the enterprise sheet by stewards, which adds its steward
  column; the project sheet by projects).
- ``sheets``: reading an upload (``read_sheet``) and writing a kind's template (``build_template``).
- ``checks``: ``CheckResult``, ``RowPlan`` and the cell helpers every importer's check uses.
- ``enterprise_rows``: checking the enterprise columns (writing them is ``enterprises.services``).

The lifecycle of an upload (check, preview, confirm, import, resume, progress) is
``enterprises.services.imports``; its Celery tasks are ``enterprises.tasks``.
"""

from enterprises.imports.checks import CheckResult, RowFailed, RowPlan
from enterprises.imports.registry import Importer, importer_for, importer_kinds, register_importer
from enterprises.imports.sheets import SheetError, build_template, cell_text, read_sheet

__all__ = [
    "CheckResult",
    "Importer",
    "RowFailed",
    "RowPlan",
    "SheetError",
    "build_template",
    "cell_text",
    "importer_for",
    "importer_kinds",
    "read_sheet",
    "register_importer",
]

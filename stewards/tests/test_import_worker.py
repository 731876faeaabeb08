"""The import through a real Celery worker (CI's PostgreSQL + Redis run): the page's progress comes
from the task, and the result is the same as in the request."""

import pytest
from django.urls import reverse

from enterprises.models import Enterprise, ImportBatch
from stewards.tests.test_import_enterprises import lookups, row, xlsx  # noqa: F401 - the fixture is used by name
from tests.celery_worker import needs_redis_worker, wait_for

pytestmark = needs_redis_worker


@pytest.mark.django_db(transaction=True)
def test_a_large_sheet_is_checked_and_imported_by_the_worker(client, lookups, settings, celery_worker):  # noqa: F811
    settings.ZONEHUB_IMPORT_SYNC_ROWS = 50
    client.force_login(lookups.admin)
    client.post(reverse("enterprises:import"), {"kind": "enterprises", "file": xlsx([row(i) for i in range(120)])})
    batch = ImportBatch.objects.get()
    assert wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.VALID)
    client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    assert wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.DONE)
    assert Enterprise.objects.filter(name__startswith="导入企业").count() == 120
    response = client.get(reverse("enterprises:import_progress", args=[batch.pk]), headers={"HX-Request": "true"})
    assert response.headers["HX-Refresh"] == "true"

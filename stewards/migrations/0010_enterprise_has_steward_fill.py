from django.db import migrations
from django.db.models import Exists, OuterRef


def fill(apps, schema_editor):
    """Enterprise.has_steward from the open assignments (kept current from now on by stewards)."""
    Enterprise = apps.get_model("enterprises", "Enterprise")
    StewardAssignment = apps.get_model("stewards", "StewardAssignment")
    Enterprise.objects.update(has_steward=Exists(
        StewardAssignment.objects.filter(enterprise=OuterRef("pk"), ended_at__isnull=True)))


class Migration(migrations.Migration):
    dependencies = [
        ("stewards", "0009_department_reply_month"),
        ("enterprises", "0004_enterprise_has_steward"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

# The security and audit administrators (issue 14, 三员分立), and the index the audit page reads.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('zonehub', '0003_delivery_and_role_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='user',
            name='role',
            field=models.CharField(blank=True, choices=[('enterprise', 'enterprise user'), ('steward', 'steward'), ('workstation_head', 'workstation head'), ('department', 'department user'), ('leader', 'leader'), ('admin', 'administrator'), ('security_admin', 'security administrator'), ('audit_admin', 'audit administrator')], max_length=20, verbose_name='role'),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(fields=['created_at', 'id'], name='event_created_idx'),
        ),
    ]

# The calendar year's source may be the State Council's notice, pasted by an administrator (issue 20).
# Only the choices change: no column does.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('zonehub', '0006_notification_claims'),
    ]

    operations = [
        migrations.AlterField(
            model_name='calendaryear',
            name='source',
            field=models.CharField(choices=[('package', 'chinese-calendar package'), ('statutory', 'statutory holidays only'), ('admin', 'entered by an administrator'), ('notice', "the State Council's notice, imported")], max_length=10, verbose_name='source'),
        ),
    ]

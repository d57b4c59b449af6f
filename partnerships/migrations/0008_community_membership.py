"""Community notices remember when they were e-mailed (at once or in the daily digest, issue 15):
members leave and are removed without a schema change."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partnerships', '0006_partnership_groups'),
    ]

    operations = [
        migrations.AddField(
            model_name='communitynotice',
            name='emailed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]

"""Community notices remember when they were e-mailed (at once or in the daily digest, issue 15):
members leave and are removed without a schema change."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partnerships', '0007_group_workspace'),
    ]

    operations = [
        migrations.AddField(
            model_name='communitynotice',
            name='emailed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]

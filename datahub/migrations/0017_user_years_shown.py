from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("datahub", "0016_collaboratives_seed"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="years_shown",
            field=models.PositiveSmallIntegerField(
                choices=[(3, "3 years"), (5, "5 years")], db_default=3, default=3,
                verbose_name="years shown on dashboards",
            ),
        ),
    ]

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    dependencies = [
        ("datahub", "0013_partner_organisations"),
    ]

    operations = [
        migrations.CreateModel(
            name="Collaborative",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=8, unique=True)),
                ("name", models.CharField(max_length=100, unique=True)),
            ],
            options={"ordering": ["name"]},
        ),
        migrations.AddField(
            model_name="localauthority",
            name="collaborative",
            field=models.ForeignKey(
                blank=True, help_text="Regional Improvement Collaborative", null=True,
                on_delete=django.db.models.deletion.SET_NULL, related_name="authorities", to="datahub.collaborative",
            ),
        ),
    ]

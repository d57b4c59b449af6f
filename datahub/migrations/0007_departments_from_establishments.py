"""Data: every existing establishment gets one department of its type with its roll.

Before departments, an establishment had a single type and roll; that becomes its (principal)
department, so benchmarking and Find Partners read the same figures as before.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Establishment = apps.get_model("datahub", "Establishment")
    Department = apps.get_model("datahub", "Department")
    have = set(Department.objects.values_list("establishment_id", flat=True))
    Department.objects.bulk_create(
        [
            Department(establishment_id=e.id, type=e.type, roll=e.roll)
            for e in Establishment.objects.only("id", "type", "roll").iterator()
            if e.id not in have
        ],
        batch_size=1000,
    )


def backwards(apps, schema_editor):
    apps.get_model("datahub", "Department").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("datahub", "0006_establishment_departments")]

    operations = [migrations.RunPython(forwards, backwards)]

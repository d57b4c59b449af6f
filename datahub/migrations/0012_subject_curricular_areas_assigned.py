"""Assign every subject of the reference list its curricular area (our mapping:
datahub.reference.CURRICULAR_AREAS, listed in docs/methodology.md). Subjects a data manager has
already given an area keep it; subjects not in the list stay blank (the reference data page names them)."""

from django.db import migrations


def assign(apps, schema_editor):
    from datahub.reference import CURRICULAR_AREAS

    Subject = apps.get_model("datahub", "Subject")
    for code, area in CURRICULAR_AREAS.items():
        Subject.objects.filter(code=code, curricular_area="").update(curricular_area=area)


class Migration(migrations.Migration):
    dependencies = [("datahub", "0011_subject_curricular_area")]
    operations = [migrations.RunPython(assign, migrations.RunPython.noop)]

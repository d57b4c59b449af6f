"""The six Regional Improvement Collaboratives and each authority's (DOMAIN.md; datahub.codes)."""

from django.db import migrations


def load(apps, schema_editor):
    from datahub.codes import COLLABORATIVES

    Collaborative = apps.get_model("datahub", "Collaborative")
    LocalAuthority = apps.get_model("datahub", "LocalAuthority")
    for code, name, authority_codes in COLLABORATIVES:
        collaborative, _ = Collaborative.objects.update_or_create(code=code, defaults={"name": name})
        LocalAuthority.objects.filter(code__in=authority_codes).update(collaborative=collaborative)


def unload(apps, schema_editor):
    apps.get_model("datahub", "LocalAuthority").objects.update(collaborative=None)
    apps.get_model("datahub", "Collaborative").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("datahub", "0015_collaboratives")]
    operations = [migrations.RunPython(load, unload)]

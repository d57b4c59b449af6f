"""Load the 32 local authorities, the subject list and the default tariff scale."""

from django.db import migrations


def load(apps, schema_editor):
    from datahub.codes import LOCAL_AUTHORITIES
    from datahub.reference import DEFAULT_TARIFF_VERSION, SUBJECTS, default_tariff_entries

    LocalAuthority = apps.get_model("datahub", "LocalAuthority")
    Subject = apps.get_model("datahub", "Subject")
    TariffScale = apps.get_model("datahub", "TariffScale")
    TariffEntry = apps.get_model("datahub", "TariffEntry")
    for code, gss, name in LOCAL_AUTHORITIES:
        LocalAuthority.objects.update_or_create(gss_code=gss, defaults={"code": code, "name": name})
    for code, name, lit, num in SUBJECTS:
        Subject.objects.update_or_create(code=code, defaults={"name": name, "literacy": lit, "numeracy": num})
    scale, created = TariffScale.objects.get_or_create(
        version=DEFAULT_TARIFF_VERSION,
        defaults={
            "description": "Working defaults (DOMAIN.md): graded courses A:B:C:D = 6:5:4:3, level-and-credit "
            "rule for other awards. Replace with the official scale.",
            "is_default": True,
        },
    )
    if created:
        TariffEntry.objects.bulk_create([TariffEntry(scale=scale, **row) for row in default_tariff_entries()])


class Migration(migrations.Migration):
    dependencies = [("datahub", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

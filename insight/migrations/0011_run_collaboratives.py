from django.db import migrations, models

COHORTS = [
    ("establishment", "Establishment"),
    ("vc", "Virtual comparator"),
    ("authority", "Local authority"),
    ("collaborative", "Regional Improvement Collaborative"),
    ("national", "Scotland"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("insight", "0010_course_results"),
    ]

    operations = [
        migrations.AddField(
            model_name="benchmarkrun",
            name="collaboratives",
            field=models.JSONField(
                blank=True, default=dict, help_text="Authority id -> Regional Improvement Collaborative id, as used"
            ),
        ),
        migrations.AlterField(
            model_name="breadthdepthresult", name="cohort", field=models.CharField(choices=COHORTS, max_length=16),
        ),
        migrations.AlterField(
            model_name="cohortresult", name="cohort", field=models.CharField(choices=COHORTS, max_length=16),
        ),
        migrations.AlterField(
            model_name="deprivationresult", name="cohort", field=models.CharField(choices=COHORTS, max_length=16),
        ),
    ]

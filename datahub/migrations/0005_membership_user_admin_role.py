# The user administrator role (authority or national): choices and both membership check constraints.

from django.db import migrations, models

ROLES = [
    ("establishment_admin", "Establishment admin (Learning Partner Administrator)"),
    ("establishment_staff", "Establishment staff"),
    ("mcmc_officer", "MCMC officer"),
    ("authority_analyst", "Local authority analyst"),
    ("national_analyst", "National analyst"),
    ("data_manager", "Data manager"),
    ("user_admin", "User administrator"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("datahub", "0004_results_drop_redundant_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="role",
            field=models.CharField(choices=ROLES, max_length=30),
        ),
        migrations.RemoveConstraint(model_name="membership", name="membership_role_known"),
        migrations.RemoveConstraint(model_name="membership", name="membership_scope_matches_role"),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(("role__in", [value for value, _ in ROLES])),
                name="membership_role_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("authority__isnull", True),
                        ("establishment__isnull", False),
                        ("role__in", ["establishment_admin", "establishment_staff"]),
                    ),
                    models.Q(
                        ("authority__isnull", False),
                        ("establishment__isnull", True),
                        ("role__in", ["mcmc_officer", "authority_analyst"]),
                    ),
                    models.Q(("authority__isnull", True), ("establishment__isnull", True), ("role", "national_analyst")),
                    models.Q(
                        ("role", "data_manager"),
                        models.Q(("authority__isnull", False), ("establishment__isnull", False), _negated=True),
                    ),
                    models.Q(("establishment__isnull", True), ("role", "user_admin")),
                    _connector="OR",
                ),
                name="membership_scope_matches_role",
            ),
        ),
    ]

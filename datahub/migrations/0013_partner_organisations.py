# Partner organisations (colleges, the national skills body), the partner organisation member role, and the e-mail setting for community posts.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('datahub', '0012_subject_curricular_areas_assigned'),
    ]

    operations = [
        migrations.CreateModel(
            name='PartnerOrganisation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, unique=True)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='membership',
            name='membership_role_known',
        ),
        migrations.RemoveConstraint(
            model_name='membership',
            name='membership_scope_matches_role',
        ),
        migrations.AddField(
            model_name='user',
            name='email_community_posts',
            field=models.BooleanField(db_default=True, default=True, verbose_name='e-mail me about new posts in my communities of practice'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='role',
            field=models.CharField(choices=[('establishment_admin', 'Establishment admin (Learning Partner Administrator)'), ('establishment_staff', 'Establishment staff'), ('mcmc_officer', 'MCMC officer'), ('authority_analyst', 'Local authority analyst'), ('national_analyst', 'National analyst'), ('data_manager', 'Data manager'), ('user_admin', 'User administrator'), ('partner_member', 'Partner organisation member')], max_length=30),
        ),
        migrations.AddField(
            model_name='partnerorganisation',
            name='authority',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='partner_organisations', to='datahub.localauthority'),
        ),
        migrations.AddField(
            model_name='membership',
            name='partner_organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='datahub.partnerorganisation'),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.CheckConstraint(condition=models.Q(('role__in', ['establishment_admin', 'establishment_staff', 'mcmc_officer', 'authority_analyst', 'national_analyst', 'data_manager', 'user_admin', 'partner_member'])), name='membership_role_known'),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('authority__isnull', True), ('establishment__isnull', True), ('partner_organisation__isnull', False), ('role', 'partner_member')), models.Q(models.Q(('role', 'partner_member'), _negated=True), ('partner_organisation__isnull', True), models.Q(models.Q(('authority__isnull', True), ('establishment__isnull', False), ('role__in', ['establishment_admin', 'establishment_staff'])), models.Q(('authority__isnull', False), ('establishment__isnull', True), ('role__in', ['mcmc_officer', 'authority_analyst'])), models.Q(('authority__isnull', True), ('establishment__isnull', True), ('role', 'national_analyst')), models.Q(('role', 'data_manager'), models.Q(('authority__isnull', False), ('establishment__isnull', False), _negated=True)), models.Q(('establishment__isnull', True), ('role', 'user_admin')), _connector='OR')), _connector='OR'), name='membership_scope_matches_role'),
        ),
    ]

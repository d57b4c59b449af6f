"""Comparator groups built by a filter may follow it: the run's finalise chooses their schools
again and records when that changed them; a group's figures are stored per group of leavers too
(breakdown and value, as the cohort results), so the dashboards' breakdown tables show them (issue 15)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('insight', '0012_local_measures_collaborative_cohort'),
    ]

    operations = [
        migrations.AddField(
            model_name='comparatorgroup',
            name='follows_filter',
            field=models.BooleanField(default=False, help_text='Members chosen again by the filter at each run'),
        ),
        migrations.AddField(
            model_name='comparatorgroup',
            name='members_change',
            field=models.JSONField(blank=True, default=dict, help_text='That change: the run, and SEED codes added and removed'),
        ),
        migrations.AddField(
            model_name='comparatorgroup',
            name='members_changed_at',
            field=models.DateTimeField(blank=True, help_text='When a run last changed the members by the filter', null=True),
        ),
        migrations.RemoveConstraint(
            model_name='comparatorgroupresult',
            name='group_result_unique',
        ),
        migrations.AddField(
            model_name='comparatorgroupresult',
            name='breakdown',
            field=models.CharField(blank=True, default='', help_text='Empty: all leavers', max_length=20),
        ),
        migrations.AddField(
            model_name='comparatorgroupresult',
            name='breakdown_value',
            field=models.CharField(blank=True, default='', max_length=20),
        ),
        migrations.AddConstraint(
            model_name='comparatorgroupresult',
            constraint=models.UniqueConstraint(fields=('run', 'group', 'year', 'breakdown', 'breakdown_value'),
                                               name='group_result_unique'),
        ),
    ]

"""Runs computed before publication existed were visible as soon as they finished: keep the newest
successful one visible by publishing it (its finishing time as the publication date)."""

from django.db import migrations


def publish_latest(apps, schema_editor):
    BenchmarkRun = apps.get_model("insight", "BenchmarkRun")
    run = BenchmarkRun.objects.filter(status="succeeded").order_by("-finished_at", "-id").first()
    if run is not None:
        run.publication = "published"
        run.published_at = run.finished_at or run.created_at
        run.release_note = "Figures published before releases were recorded in the portal."
        run.save(update_fields=["publication", "published_at", "release_note"])


def unpublish_all(apps, schema_editor):
    apps.get_model("insight", "BenchmarkRun").objects.update(publication="draft", published_at=None)


class Migration(migrations.Migration):
    dependencies = [("insight", "0004_run_publication")]
    operations = [migrations.RunPython(publish_latest, unpublish_all)]

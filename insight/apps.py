from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "insight"
    verbose_name = "Benchmarking"

    def ready(self) -> None:
        # The partnership workspaces' joint evaluations read benchmark figures through this source.
        from .joint import register

        register()

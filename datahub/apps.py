from django.apps import AppConfig


class DatahubConfig(AppConfig):
    name = "datahub"
    verbose_name = "Data hub"

    def ready(self) -> None:
        from .imports import kinds  # noqa: F401  (registers datahub's own import kinds)

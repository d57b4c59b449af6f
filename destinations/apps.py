from django.apps import AppConfig


class DestinationsConfig(AppConfig):
    name = "destinations"
    verbose_name = "Destinations"

    def ready(self) -> None:
        from . import imports  # noqa: F401  (registers destination and participation import kinds with datahub)
        from .pathways import imports as pathway_imports  # noqa: F401  (registers the offers import kind)

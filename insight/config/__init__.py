"""The project's configuration: settings, the root URLconf with the API router, the Celery app, WSGI/ASGI.

Nothing in the apps imports this package (an import-linter contract checks it); they read
configuration through ``django.conf.settings``. Loading the settings imports this package, which
creates the Celery app, so ``@shared_task`` in every app binds to it in web and worker processes alike.
"""

from .celery import app as celery_app

__all__ = ["celery_app"]

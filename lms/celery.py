import os

from celery import Celery

from . import logs  # noqa: F401  (request ids carried into tasks: signal handlers)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

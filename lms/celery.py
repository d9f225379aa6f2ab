import os

from celery import Celery
from celery.signals import worker_ready

from . import logs  # noqa: F401  (request ids carried into tasks: signal handlers)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def start_renderers(**kwargs):
    # The renderer's children start with the worker, not with its first certificate: a bulk
    # job's first batches (and the first download after a deploy) do not wait for them.
    from certificates.rendering import renderer_pool  # after Django is set up

    renderer_pool().start()

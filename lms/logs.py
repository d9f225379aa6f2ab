"""Request ids on every log line, JSON log lines, and the id carried into Celery tasks.

A request's id is the client's (or the proxy's) X-Request-ID when it is a sane token, else a
new one; it is echoed in the response's X-Request-ID header. A task queued while handling the
request carries the id in its message headers, so the worker's lines about that task carry
it too: one id finds everything a click caused, across machines.
"""

import json
import logging
import re
import uuid
from contextvars import ContextVar

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.core.signals import request_finished
from django.dispatch import receiver

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

# Letters, digits and - _ . : only, at most 100: anything else (spaces, newlines that would
# forge log lines, long junk) is replaced by a fresh id.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
HEADER = "X-Request-ID"


def new_request_id() -> str:
    return uuid.uuid4().hex


def sane_request_id(value: str | None) -> str:
    return value if value and _SANE_ID.fullmatch(value) else new_request_id()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = sane_request_id(request.headers.get(HEADER))
        request.request_id = request_id
        # Kept past this middleware: Django logs the response ("django.request") after the
        # middleware chain returned; cleared when the response is finished (below).
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished)
def _clear_request_id(**kwargs):
    request_id_var.set("-")


class RequestIdFilter(logging.Filter):
    """Puts the current request id on the record (`-` outside any request or task)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


# The attributes every LogRecord has; anything else on a record was passed as extra=.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras, traceback."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool)) else str(value)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# Celery: the sender puts the id in the message's headers; the worker sets it while the task
# runs and clears it afterwards (a worker process runs many tasks).
@before_task_publish.connect
def _carry_request_id(headers=None, **kwargs):
    request_id = request_id_var.get()
    if headers is not None and request_id != "-":
        headers.setdefault("request_id", request_id)


_task_tokens: dict[str, object] = {}


@task_prerun.connect
def _take_request_id(task_id=None, task=None, **kwargs):
    request_id = getattr(task.request, "request_id", None) if task is not None else None
    if request_id is None and task is not None:
        request_id = (task.request.get("headers") or {}).get("request_id")
    if request_id and task_id:
        _task_tokens[task_id] = request_id_var.set(sane_request_id(request_id))


@task_postrun.connect
def _drop_request_id(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context (a different thread ran prerun)
            request_id_var.set("-")

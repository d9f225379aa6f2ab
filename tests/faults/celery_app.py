"""The project's Celery app for the fault tests' workers, with Redis giving a message back fast.

A whole worker killed leaves its task unacknowledged; Redis delivers it again after the
visibility timeout (an hour in settings). A test cannot wait that long, so a worker started
with FAULT_VISIBILITY_TIMEOUT=<seconds> uses that, and sweeps for such messages every second.
"""

import os

from lms.celery import app

if os.environ.get("FAULT_VISIBILITY_TIMEOUT"):
    app.conf.broker_transport_options = {
        "visibility_timeout": int(os.environ["FAULT_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
        # A worker killed during its restore sweep keeps the sweep's lock until this expires.
        "unacked_mutex_expire": 2,
    }

__all__ = ["app"]

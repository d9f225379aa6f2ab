"""gunicorn's settings for `make prod` (Procfile): from the environment or the .env file."""

import os

from lms.env_file import read_env_file

read_env_file()

bind = f"{os.environ.get('WEB_BIND', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads per process: a download or a page waiting on the database does not hold a process.
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
# Nothing long runs in a request (renders and jobs are the worker's); a stuck one is killed.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 4  # below honcho's 5 s before SIGKILL: Ctrl-C stops requests cleanly
accesslog = "-"
# The request id (lms/logs.py) on the access line too, from the response header.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms id=%({x-request-id}o)s'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

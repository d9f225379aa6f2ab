"""The `.env` file (or ENV_FILE) read by settings, gunicorn's config, and `make prod`'s check.

`python -m lms.env_file` checks, before `make prod` migrates or starts anything, that every
setting production cannot do without is given, and names the missing ones.
"""

import os
import sys
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

# Without these a production server must not start: a known SECRET_KEY or signing key
# encryption key is no secret, the default database is a SQLite file on one machine, the
# default hosts are only 127.0.0.1/localhost, and without a broker the worker idles while
# every render runs inside web requests.
REQUIRED_IN_PRODUCTION = {
    "SECRET_KEY": "signs sessions and tokens",
    "DATABASE_URL": "the PostgreSQL database, e.g. postgres://user:password@host:5432/lms",
    "ALLOWED_HOSTS": "the host names this site answers to, comma-separated",
    "SIGNING_KEY_ENCRYPTION_KEY": "encrypts the schools' PDF signing keys at rest",
    "CELERY_BROKER_URL": "the queue between web and worker, e.g. redis://host:6379/0",
}


def env_file_path() -> str:
    return os.environ.get("ENV_FILE") or str(BASE_DIR / ".env")


def read_env_file() -> None:
    """Load the file into os.environ; values already in the environment win."""
    path = env_file_path()
    if os.path.isfile(path):
        environ.Env.read_env(path, overwrite=False)


def missing_production_settings() -> list[str]:
    return [name for name in REQUIRED_IN_PRODUCTION if not os.environ.get(name, "").strip()]


def main() -> int:
    if os.environ.get("ENV_FILE") and not os.path.exists(os.environ["ENV_FILE"]):
        print(f"ENV_FILE={os.environ['ENV_FILE']}: no such file.", file=sys.stderr)
        return 2
    read_env_file()
    missing = missing_production_settings()
    if missing:
        print(
            f"Not starting: production needs these settings (environment or {env_file_path()};"
            " see .env.example):",
            file=sys.stderr,
        )
        for name in missing:
            print(f"  {name}: {REQUIRED_IN_PRODUCTION[name]}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

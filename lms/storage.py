"""Storages: issued PDFs without any URL, an S3-compatible bucket, and the static files.

A FileSystemStorage given `base_url=None` falls back to MEDIA_URL, so the files would get a
public-looking address; here asking for one is an error and only views that check who asks
can serve a certificate.

The S3 storages turn every failure of the bucket (unreachable, timing out, refusing) into an
OSError, the error a folder on disk raises: the code that handles a failing storage (the
render task retries, a download answers 503 "being prepared") then works the same on both.
"""

import os
import sys

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage
from storages.utils import clean_name
from whitenoise.storage import CompressedManifestStaticFilesStorage


class PrivateStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a permission-checked view.")


class StreamedObject(File):
    """An object's body being read from the bucket, with the size the bucket announced."""

    def __init__(self, body, name, size):
        super().__init__(body, name)
        if size is not None:
            self.size = size

    def __iter__(self):
        yield from self.chunks()

    def chunks(self, chunk_size=None):
        chunk_size = chunk_size or self.DEFAULT_CHUNK_SIZE
        while data := self.file.read(chunk_size):
            yield data


class StorageUnavailable(OSError):
    """The bucket did not answer or refused: the same kind of error as a failing disk."""


def _not_found(error: ClientError) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


class _FailAsOSError:
    """Wraps each storage operation: a boto/botocore failure becomes StorageUnavailable."""

    def _guard(self, operation, *args, **kwargs):
        try:
            return operation(*args, **kwargs)
        except ClientError as error:
            if _not_found(error):
                raise FileNotFoundError(str(error)) from error
            raise StorageUnavailable(str(error)) from error
        except BotoCoreError as error:
            raise StorageUnavailable(str(error)) from error

    def _open(self, name, mode="rb"):
        if mode not in ("r", "rb"):
            return self._guard(super()._open, name, mode)

        # Reading streams the object's body from the bucket as it is read (a download is a
        # FileResponse over it), instead of django-storages' S3File, which first copies the
        # whole object into memory. The GET is made here, so a bucket that is down fails at
        # open, before any response has started.
        def get():
            key = self._normalize_name(clean_name(name))
            return self.bucket.Object(key).get()

        answer = self._guard(get)
        return StreamedObject(answer["Body"], name, answer.get("ContentLength"))

    def _save(self, name, content):
        return self._guard(super()._save, name, content)

    def exists(self, name):
        return self._guard(super().exists, name)

    def delete(self, name):
        return self._guard(super().delete, name)

    def size(self, name):
        return self._guard(super().size, name)

    def listdir(self, path):
        return self._guard(super().listdir, path)


def _s3_options(options: dict) -> dict:
    """Short timeouts and few retries: a request waits seconds for a dead bucket, not minutes."""
    options = {key: value for key, value in options.items() if value is not None}
    options.setdefault(
        "client_config",
        Config(
            connect_timeout=float(os.environ.get("S3_TIMEOUT", "5")),
            read_timeout=float(os.environ.get("S3_TIMEOUT", "5")),
            retries={"max_attempts": 2, "mode": "standard"},
            s3={"addressing_style": options.pop("addressing_style", None) or "auto"},
        ),
    )
    options.pop("addressing_style", None)
    return options


class S3MediaStorage(_FailAsOSError, S3Storage):
    """Uploads (template backgrounds, exports) in the bucket under media/."""

    def __init__(self, **options):
        options = _s3_options(options)
        options.setdefault("location", "media")
        options.setdefault("default_acl", None)
        options.setdefault("file_overwrite", False)
        super().__init__(**options)


class S3PrivateStorage(_FailAsOSError, S3Storage):
    """Issued PDFs in the bucket under private/; never a public URL (like PrivateStorage)."""

    def __init__(self, **options):
        options = _s3_options(options)
        options.setdefault("location", "private")
        options.setdefault("default_acl", "private")
        options.setdefault("querystring_auth", True)
        options.setdefault("file_overwrite", False)
        super().__init__(**options)

    def url(self, name, *args, **kwargs):
        raise ValueError("Private files have no URL; serve them through a permission-checked view.")


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files (whitenoise) for DEBUG=false.

    Production is strict: a template naming a static file that collectstatic did not write
    fails loudly. The test run (pytest) has not run collectstatic, so there a name missing
    from the manifest stays the plain name, unless REQUIRE_COLLECTED_STATIC=1 says the run
    collected them (CI's production pass), which keeps it strict.
    """

    # The vendored Bootstrap names source maps it does not ship: leave those comments alone
    # (a browser's devtools just find no map) instead of failing collectstatic on them.
    patterns = tuple(
        (extension, [p for p in found if "sourceMappingURL" not in str(p)])
        for extension, found in CompressedManifestStaticFilesStorage.patterns
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fall_back = (
            "pytest" in sys.modules and os.environ.get("REQUIRE_COLLECTED_STATIC") != "1"
        )

    def stored_name(self, name):
        if not self._fall_back:
            return super().stored_name(name)
        try:
            return super().stored_name(name)
        except ValueError:
            return name


class CollectedFilesFinder(BaseFinder):
    """Finds a file in STATIC_ROOT by its collected (hashed) name; for the test run only.

    The browser tests' live server serves /static/ through the finders, which know only the
    source names; with collected files (CI's production pass) pages name hashed files, and
    this finder serves them as whitenoise does in production. It lists nothing, so
    collectstatic never copies STATIC_ROOT into itself.
    """

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        from django.conf import settings

        full = os.path.join(settings.STATIC_ROOT, path)
        found = full if os.path.isfile(full) else None
        if find_all:
            return [found] if found else []
        return found

    def list(self, ignore_patterns):
        return []

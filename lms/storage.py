"""Storage for issued PDFs: files on disk that have no URL at all.

A FileSystemStorage given `base_url=None` falls back to MEDIA_URL, so the files would get a
public-looking address; here asking for one is an error and only views that check who asks
can serve a certificate.
"""

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a permission-checked view.")

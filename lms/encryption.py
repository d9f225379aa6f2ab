"""Secrets the app must read back (signing keys, webhook secrets), encrypted at rest.

One environment setting, SIGNING_KEY_ENCRYPTION_KEY, kept apart from the database, protects
them all: a copy of the database alone (a leaked backup, a read-only SQL injection) reveals
none of them. Each kind of secret gets a key of its own, derived with its purpose as a label,
so a value of one kind can never be decrypted as another.
"""

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings


def fernet(purpose: str) -> Fernet:
    # Any string works as the setting: it is stretched to a Fernet key by SHA-256, so operators
    # can use whatever their secret store produces.
    secret = settings.SIGNING_KEY_ENCRYPTION_KEY.encode()
    digest = hashlib.sha256(purpose.encode() + b"\x00" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(digest))

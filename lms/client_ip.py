"""The client's address, as every rate limit and the login lockout see it.

Only REMOTE_ADDR is trusted unless the deployment says how many reverse proxies stand in
front of the app (TRUSTED_PROXY_COUNT). Each proxy appends the address it received the request
from to X-Forwarded-For, so with N trusted proxies the N-th entry from the right was written by
the outermost of them and is the real client; everything left of it is whatever the client
sent and is ignored.
"""

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's IP address, or None when no trustworthy one is known."""
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < proxies:
        # The request did not pass through every trusted proxy (or one is misconfigured):
        # no entry of the header can be trusted, the peer's own address can.
        return remote
    return _valid(forwarded[-proxies]) or remote

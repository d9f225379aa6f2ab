"""Login lockout (django-axes) and the password-reset rate limit.

Failed logins are counted per account and per client address (lms.client_ip, the same rule
as every other limit); past AXES_FAILURE_LIMIT within AXES_COOLOFF_TIME the login answers
with the lockout page, even for the right password, until the cool-off ends.
"""

import hashlib
import math
from datetime import datetime, timedelta

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from lms.client_ip import client_ip
from lms.ratelimit import RateLimit


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses logins while the account or the address is locked out.

    Web logins always pass the request. Without one (a management command, a shell) there
    is no client to throttle, and axes would refuse the call outright, so it is let through
    to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_username(request, credentials) -> str:
    """The account a login attempt is counted against: emails log in in any case."""
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    else:
        value = request.POST.get("username")
    # Same length as the email field; PostgreSQL refuses null bytes in text.
    return str(value or "").replace("\x00", "").strip().lower()[:254]


def _locked_until(request, credentials) -> datetime:
    """When the lockout this request ran into ends (the latest of account and address)."""
    cool_off = get_cool_off(request) or timedelta(0)
    limit = get_failure_limit(request, credentials)
    handler = AxesProxyHandler.get_implementation()
    ends = []
    for attempts in handler.get_user_attempts(request, credentials):
        # Axes counts the failures of the rows younger than the cool-off; the lock lifts once
        # the row that brought the newest ones up to the limit grows older than that.
        total = 0
        for attempt in attempts.order_by("-attempt_time"):
            total += attempt.failures_since_start
            if total >= limit:
                ends.append(attempt.attempt_time + cool_off)
                break
    return max(ends, default=timezone.now() + cool_off)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page, saying when to try again (429)."""
    until = _locked_until(request, credentials)
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    response = render(
        request,
        "registration/locked_out.html",
        {"locked_until": until, "minutes": math.ceil(seconds / 60)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def _reset_limits() -> tuple[RateLimit, RateLimit]:
    window = settings.PASSWORD_RESET_RATE_WINDOW
    return (
        RateLimit("reset-address", settings.PASSWORD_RESET_LIMIT_PER_ADDRESS, window),
        RateLimit("reset-email", settings.PASSWORD_RESET_LIMIT_PER_EMAIL, window),
    )


def _email_key(email: str) -> str:
    # The cache holds a digest, not the address.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, limited per client address and per email address.

    The limit is charged the same whether or not an account has that email, so the answer
    (the usual "check your inbox" or "too many requests") tells nothing about accounts.
    """

    def form_valid(self, form):
        per_address, per_email = _reset_limits()
        hits = [
            per_address.hit(client_ip(self.request) or "unknown"),
            per_email.hit(_email_key(form.cleaned_data["email"])),
        ]
        blocked = [hit.retry_after for hit in hits if not hit.allowed]
        if not blocked:
            return super().form_valid(form)
        seconds = max(blocked)
        minutes = math.ceil(seconds / 60)
        form.add_error(
            None,
            ngettext(
                "Too many requests for a reset link. Try again in %(minutes)d minute.",
                "Too many requests for a reset link. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
        )
        response = render(self.request, self.template_name, self.get_context_data(form=form))
        response.status_code = 429
        response["Retry-After"] = str(seconds)
        return response

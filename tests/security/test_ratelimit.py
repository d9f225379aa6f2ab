"""The rate limit charges and decides in one atomic step (cache.add + cache.incr)."""

import threading
import uuid

import pytest
from django.core.cache import cache, caches

from certificates.views.public import UNKNOWN_CODE_COST
from lms import ratelimit
from lms.ratelimit import RateLimit

VERIFY = RateLimit("verify-test", limit=30, window=60)


@pytest.fixture
def frozen_clock(monkeypatch):
    """A clock the test moves by hand, 10 s into a minute window."""
    clock = {"now": 1_800_000_010.0}
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock["now"])
    return clock


def test_unknown_codes_cost_five_so_the_seventh_guess_is_refused(frozen_clock):
    answers = [VERIFY.hit("198.51.100.7", cost=UNKNOWN_CODE_COST) for _ in range(7)]
    assert [hit.allowed for hit in answers] == [True] * 6 + [False]
    assert answers[-1].retry_after == 51  # 50 s left in the window, rounded up


def test_known_codes_get_four_points_back_so_thirty_lookups_pass(frozen_clock):
    answers = []
    for _ in range(31):
        hit = VERIFY.hit("198.51.100.7", cost=UNKNOWN_CODE_COST)
        answers.append(hit.allowed)
        if hit.allowed:
            hit.refund(UNKNOWN_CODE_COST - 1)
    assert answers == [True] * 30 + [False]


def test_addresses_count_apart_and_a_new_window_starts_fresh(frozen_clock):
    for _ in range(6):
        VERIFY.hit("198.51.100.7", cost=5)
    assert not VERIFY.hit("198.51.100.7", cost=5).allowed
    assert VERIFY.hit("198.51.100.8", cost=5).allowed
    frozen_clock["now"] += 50  # the next minute
    assert VERIFY.hit("198.51.100.7", cost=5).allowed


def test_hammering_a_closed_window_keeps_it_closed(frozen_clock):
    limit = RateLimit("small", limit=2, window=60)
    assert [limit.hit("a").allowed for _ in range(5)] == [True, True, False, False, False]


def test_a_request_arriving_mid_charge_cannot_slip_through(monkeypatch, frozen_clock):
    """Six requests run to completion while a seventh is between its add and its incr.

    A check-then-charge limit would have let the seventh in (it saw 0 points used when it
    looked); the atomic step makes it see the others' charges.
    """
    backend = caches["default"]
    real_incr = backend.incr
    interleaved = []

    def incr_after_six_others(key, delta=1, version=None):
        if not interleaved:
            interleaved.append("running")
            monkeypatch.setattr(backend, "incr", real_incr)
            interleaved.extend(VERIFY.hit("198.51.100.7", cost=5).allowed for _ in range(6))
        return real_incr(key, delta, version=version)

    monkeypatch.setattr(backend, "incr", incr_after_six_others)
    seventh = VERIFY.hit("198.51.100.7", cost=5)
    assert interleaved == ["running", True, True, True, True, True, True]
    assert not seventh.allowed


def _parallel_hits(count: int) -> list[bool]:
    start = threading.Barrier(count)
    results = []
    lock = threading.Lock()

    def one():
        start.wait()
        allowed = VERIFY.hit("198.51.100.99", cost=UNKNOWN_CODE_COST).allowed
        with lock:
            results.append(allowed)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_sixty_parallel_guesses_on_local_memory_let_six_through():
    results = _parallel_hits(60)
    assert len(results) == 60
    assert results.count(True) == 6


@pytest.mark.redis
def test_sixty_parallel_guesses_on_redis_let_six_through(settings, redis_url):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # shares a server with others
        }
    }
    assert cache.add("probe", 1, timeout=5) is True  # really talking to Redis
    results = _parallel_hits(60)
    assert len(results) == 60
    assert results.count(True) == 6

"""The renderer pool: a job past its time is killed, the caller and the pool carry on."""

import os
import threading
import time

import pytest

from certificates.render_pool import Pool, PoolTimeout, PoolWorkerDied


# Jobs run in the child, which imports them from this module by name.
def child_pid(_arg):
    return os.getpid()


def sleep_then_pid(seconds):
    time.sleep(seconds)
    return os.getpid()


def allocate(megabytes):
    return len(bytearray(megabytes * 1024 * 1024))


def fail(message):
    raise ValueError(message)


def slow_start():
    time.sleep(2)  # a child starting on a loaded machine: longer than the caller's limit


@pytest.fixture
def pool():
    pool = Pool(size=1, memory_mb=512, max_tasks=3)
    yield pool
    pool.close()


def test_a_job_runs_in_a_child_and_the_child_is_reused(pool):
    first = pool.run(child_pid, None, timeout=30)
    assert first != os.getpid()
    assert pool.run(child_pid, None, timeout=30) == first


def test_a_late_job_is_killed_and_the_pool_carries_on(pool):
    child = pool.run(child_pid, None, timeout=30)
    with pytest.raises(PoolTimeout):
        pool.run(sleep_then_pid, 30, timeout=0.5)
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # the late child is gone, not left running in the background
    replacement = pool.run(child_pid, None, timeout=30)
    assert replacement not in (child, os.getpid())


def test_the_memory_cap_holds_and_the_pool_carries_on(pool):
    assert pool.run(allocate, 16, timeout=30) == 16 * 1024 * 1024
    with pytest.raises(PoolWorkerDied):
        pool.run(allocate, 1024, timeout=30)
    assert pool.run(allocate, 16, timeout=30) == 16 * 1024 * 1024


def test_an_error_in_the_job_comes_back_as_it_was_raised(pool):
    child = pool.run(child_pid, None, timeout=30)
    with pytest.raises(ValueError, match="broken template"):
        pool.run(fail, "broken template", timeout=30)
    assert pool.run(child_pid, None, timeout=30) == child  # an ordinary error keeps the child


def test_a_child_is_replaced_after_its_number_of_jobs(pool):
    pids = [pool.run(child_pid, None, timeout=30) for _ in range(4)]
    assert pids[0] == pids[1] == pids[2]
    assert pids[3] != pids[0]


def test_waiting_for_a_busy_child_counts_against_the_limit(pool):
    thread = threading.Thread(target=pool.run, args=(sleep_then_pid, 3), kwargs={"timeout": 30})
    thread.start()
    deadline = time.monotonic() + 10
    while pool._count < 1 and time.monotonic() < deadline:  # the one child is taken
        time.sleep(0.01)
    with pytest.raises(PoolTimeout, match="no free renderer"):
        pool.run(child_pid, None, timeout=0.3)
    thread.join()


def test_children_started_ahead_serve_the_first_jobs():
    pool = Pool(size=2, memory_mb=512, max_tasks=3)
    try:
        pool.start()
        children = {worker.process.pid for worker in pool._idle}
        assert len(children) == 2 and os.getpid() not in children
        pool.start()  # none missing: none more
        assert {worker.process.pid for worker in pool._idle} == children

        answers = []
        threads = [
            threading.Thread(
                target=lambda: answers.append(pool.run(sleep_then_pid, 0.5, timeout=30))
            )
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert set(answers) == children
    finally:
        pool.close()


def test_a_child_late_in_starting_is_kept_for_the_next_job(monkeypatch):
    """Under load a new child may take longer to start than a caller's limit. It has no job
    yet, so it is not killed: it serves the next caller, who does not start another cold."""
    pool = Pool(size=1, memory_mb=512, initializer=slow_start)
    started = []
    start = pool._start

    def counted_start():
        worker = start()
        started.append(worker.process.pid)
        return worker

    monkeypatch.setattr(pool, "_start", counted_start)
    try:
        with pytest.raises(PoolTimeout, match=r"no renderer started within 0\.5 s"):
            pool.run(child_pid, None, timeout=0.5)
        assert len(started) == 1
        os.kill(started[0], 0)  # still alive: it was starting, not late with a job
        assert pool.run(child_pid, None, timeout=30) == started[0]
        assert len(started) == 1
    finally:
        pool.close()


def test_after_a_late_job_the_pool_still_runs_no_more_children_than_its_size(pool):
    """A late job's child is counted out once: a hostile template timing out again and again
    must not let the pool start a child more each time."""
    for _ in range(2):
        with pytest.raises(PoolTimeout):
            pool.run(sleep_then_pid, 30, timeout=0.5)
    busy = threading.Thread(target=pool.run, args=(sleep_then_pid, 3), kwargs={"timeout": 30})
    busy.start()
    try:
        time.sleep(1)  # the one child the pool may have is busy now
        with pytest.raises(PoolTimeout, match="no free renderer"):
            pool.run(child_pid, None, timeout=0.5)
    finally:
        busy.join()

"""A pool of long-lived child processes that run one job at a time under hard limits.

Certificates are drawn from templates staff write, so a render is hostile input: it may loop
for minutes or grow without bound. Each job therefore runs in a child process whose address
space is capped (RLIMIT_AS), and the caller waits at most `timeout` seconds in all (waiting
for a free child, or for a new one to start, included); a child that is late with its job is
killed and replaced, so neither a web request nor a Celery worker is ever held past the limit,
and the caller's process survives. A child that is late only in starting is not killed: it has
no job yet, and killing it would leave the next caller to start one cold again.

The children are forked from multiprocessing's fork server, which imports the heavy libraries
once (`preload`), so a new child starts warm in milliseconds; a child serves `max_tasks`
jobs and is then replaced, so memory one job leaked does not stay forever. Sending a job and
its answer over a pipe costs about a millisecond (see the README, "Security").

This module knows nothing about certificates: it runs `func(arg)` where `func` is a
module-level function the child can import by name.
"""

import atexit
import importlib
import multiprocessing
import resource
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field


class PoolError(Exception):
    """A job that did not run to its end; the subclasses say why."""


class PoolTimeout(PoolError):
    """The job (or the wait for a free child) took longer than its limit; the child was killed."""


class PoolWorkerDied(PoolError):
    """The child died or ran out of memory mid-job."""


class PoolJobError(PoolError):
    """The job raised an exception that could not be sent back as it was."""


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.Process
    conn: object
    tasks: int = field(default=0)
    ready: bool = field(default=False)  # its "ready" was received: it waits for a job


def _child_main(conn, memory_bytes: int, initializer, preload=()) -> None:
    """The loop of one child: receive (func, arg), answer ("ok", result) or ("error", exc)."""
    # Libraries are loaded and warmed up before the cap: the fork server that made this child
    # may have been started by another pool without them (the fork server is one per process),
    # and mapping them under the cap could fail although rendering fits well within it.
    for name in preload:
        importlib.import_module(name)
    if initializer is not None:
        initializer()
    if memory_bytes:
        # Address space, not resident memory: what the kernel refuses to map past the cap, so a
        # runaway layout gets a MemoryError (or dies) instead of growing into the machine's RAM.
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # Started: from here on the parent's time limit is this child's to keep (see Pool.run).
    conn.send(("ready", None))
    while True:
        try:
            func, arg = conn.recv()
        except (EOFError, OSError):
            return  # the parent went away
        try:
            answer = ("ok", func(arg))
        except MemoryError:
            # The heap may be left fragmented and huge: answer, then let the parent replace us.
            conn.send(("memory", None))
            return
        except Exception as exc:  # every failure is reported to the parent
            answer = ("error", exc)
        try:
            conn.send(answer)
        except MemoryError:
            conn.send(("memory", None))
            return
        except Exception as exc:  # an exception that does not pickle
            conn.send(("error", PoolJobError(f"{type(exc).__name__}: {exc}"[:500])))


class Pool:
    def __init__(
        self,
        *,
        size: int,
        memory_mb: int,
        max_tasks: int = 200,
        preload: tuple[str, ...] = (),
        initializer=None,
    ):
        self.size = max(1, size)
        self.memory_bytes = max(0, memory_mb) * 1024 * 1024
        self.max_tasks = max(1, max_tasks)
        self.initializer = initializer
        self.preload = tuple(preload)
        self._context = multiprocessing.get_context("forkserver")
        if preload:
            # Global to the fork server of this process; only the renderer starts children here.
            self._context.set_forkserver_preload(list(preload))
        self._idle: list[_Worker] = []
        self._count = 0  # children alive: idle or busy
        self._changed = threading.Condition()
        atexit.register(self.close)

    def run(self, func, arg, *, timeout: float):
        """`func(arg)` in a child; raises PoolTimeout, PoolWorkerDied or what `func` raised."""
        deadline = time.monotonic() + timeout
        worker = self._acquire(deadline)
        if not worker.ready:
            self._wait_ready(worker, deadline, timeout)
        with self._discarded_on_failure(worker, "the child died mid-job"):
            worker.conn.send((func, arg))
            answered = worker.conn.poll(max(0.0, deadline - time.monotonic()))
            if answered:
                status, value = worker.conn.recv()
        if not answered:
            self._discard(worker)
            raise PoolTimeout(f"no answer within {timeout:g} s")
        if status == "memory":
            self._discard(worker)
            raise PoolWorkerDied("the child ran out of memory")
        worker.tasks += 1
        self._release(worker)
        if status == "error":
            raise value
        return value

    def start(self) -> None:
        """Start the children that are missing now, so the first jobs find them running.

        Each child imports and warms up its libraries (about a second) before its first job;
        a worker that does this when it starts spares that wait to the first certificates.
        """
        with self._changed:
            missing = max(0, self.size - self._count)
            self._count += missing
        started = []
        try:
            for _ in range(missing):
                started.append(self._start())
        finally:
            with self._changed:
                self._count -= missing - len(started)
                self._idle.extend(started)
                self._changed.notify_all()

    def _wait_ready(self, worker: _Worker, deadline: float, timeout: float) -> None:
        """Wait until a new child has started, or give it back still starting at the deadline.

        Starting (the imports, warming up) takes about a second, far longer on a loaded
        machine. A child that has not started yet runs nothing of the caller's, so it is not
        killed at the deadline: it goes back to the pool and serves the next caller once up.
        Killed instead, every caller would start a cold child and be late the same way, and
        under load no render would ever succeed.
        """
        with self._discarded_on_failure(worker, "the child died while starting"):
            started = worker.conn.poll(max(0.0, deadline - time.monotonic()))
            if started:
                status, _value = worker.conn.recv()
        if not started:
            self._release(worker)
            raise PoolTimeout(f"no renderer started within {timeout:g} s")
        if status != "ready":
            self._discard(worker)
            raise PoolWorkerDied(f"the child answered {status!r} instead of starting")
        worker.ready = True

    @contextmanager
    def _discarded_on_failure(self, worker: _Worker, died: str):
        """Talking to a child: if that fails, the child is stopped and counted out, once.

        A broken pipe means the child died (PoolWorkerDied); anything else (an interrupt)
        leaves it in an unknown state, so it goes too. Raise nothing of your own inside: the
        caller discards for its own reasons (a timeout) after the block, or it would be
        counted out twice and the pool would start a child more than its size.
        """
        try:
            yield
        except (EOFError, OSError) as exc:
            self._discard(worker)
            raise PoolWorkerDied(died) from exc
        except BaseException:
            self._discard(worker)
            raise

    def _acquire(self, deadline: float) -> _Worker:
        with self._changed:
            while not self._idle and self._count >= self.size:
                left = deadline - time.monotonic()
                if left <= 0 or not self._changed.wait(left):
                    raise PoolTimeout("no free renderer within the limit")
            if self._idle:
                return self._idle.pop()
            self._count += 1
        try:
            return self._start()
        except BaseException:
            with self._changed:
                self._count -= 1
                self._changed.notify()
            raise

    def _start(self) -> _Worker:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(
            target=_child_main,
            args=(child_end, self.memory_bytes, self.initializer, self.preload),
            name="certificate-renderer",
            daemon=True,
        )
        process.start()
        child_end.close()
        return _Worker(process=process, conn=parent_end)

    def _release(self, worker: _Worker) -> None:
        if worker.tasks >= self.max_tasks or not worker.process.is_alive():
            self._discard(worker)
            return
        with self._changed:
            self._idle.append(worker)
            self._changed.notify()

    def _discard(self, worker: _Worker) -> None:
        _stop(worker)
        with self._changed:
            self._count -= 1
            self._changed.notify()

    def close(self) -> None:
        with self._changed:
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for worker in idle:
            _stop(worker)


def _stop(worker: _Worker) -> None:
    worker.conn.close()
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join(timeout=5)

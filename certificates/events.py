"""What happened to certificates, announced after commit; receivers (signals.py) queue the work.

Services send these instead of calling tasks, so services never import the tasks that call
them: the modules depend one way (tasks -> services -> events).
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.dispatch import Signal

# Each is sent with keyword arguments: the ids of the rows it is about.
certificate_issued = Signal()  # certificate_id, project_id, notify
certificate_deleted = Signal()  # certificate_id, project_id
# Sent after the deleted (old) and issued (new) signals of the same reissue.
certificate_reissued = Signal()  # certificate_id (the new one), project_id, replaces_id (the old)
bulk_job_queued = Signal()  # job_id
export_job_queued = Signal()  # job_id
certificate_expiring = Signal()  # certificate_id: an expiry reminder was just sent
# Many certificates issued at once (a bulk job's chunk), to be drawn in batches: certificate_ids,
# and notify_ids, those whose student is emailed.
certificates_issued_together = Signal()


def send_after_commit(signal: Signal, **ids) -> None:
    # robust: the row is committed whatever happens next; a broker that is down is logged
    # (and the work picked up again later), never shown as an error to the person who acted.
    transaction.on_commit(lambda: signal.send(sender=None, **ids), robust=True)


_collecting: ContextVar[list | None] = ContextVar("certificates_issued_collecting", default=None)
_looked_up: ContextVar[dict | None] = ContextVar("certificates_issued_looked_up", default=None)


@contextmanager
def issued_collected():
    """Inside the block, `certificate_issued` queues no work of its own: its receiver adds
    (certificate_id, notify) to the list yielded, and the caller sends
    `certificates_issued_together` for them, so they are drawn in batches, not one by one.

    The block must hold the commit of the transaction that issues them (the event is sent
    after commit); one sent outside it, after the block, queues its work as usual.
    """
    collected: list[tuple[int, bool]] = []
    token = _collecting.set(collected)
    looked_up = _looked_up.set({})
    try:
        yield collected
    finally:
        _looked_up.reset(looked_up)
        _collecting.reset(token)


def issued_collector() -> list | None:
    """The list of the `issued_collected` block around this code, or None outside one."""
    return _collecting.get()


def collected_lookups() -> dict | None:
    """A dict the receivers of one `issued_collected` block share (None outside one).

    A bulk job's chunk sends three events per certificate after one commit; what a receiver
    needs to know about the school (say, which events its webhooks chose) it looks up once
    for the chunk and keeps here, instead of once per event.
    """
    return _looked_up.get()

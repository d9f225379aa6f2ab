"""What happened to certificates, announced after commit; receivers (signals.py) queue the work.

Services send these instead of calling tasks, so services never import the tasks that call
them: the modules depend one way (tasks -> services -> events).
"""

from django.db import transaction
from django.dispatch import Signal

# Each is sent with keyword arguments: the ids of the rows it is about.
certificate_issued = Signal()  # certificate_id
certificate_deleted = Signal()  # certificate_id
# Sent after the deleted (old) and issued (new) signals of the same reissue.
certificate_reissued = Signal()  # certificate_id (the new one), replaces_id (the old one)
bulk_job_queued = Signal()  # job_id
export_job_queued = Signal()  # job_id
certificate_expiring = Signal()  # certificate_id: an expiry reminder was just sent


def send_after_commit(signal: Signal, **ids) -> None:
    # robust: the row is committed whatever happens next; a broker that is down is logged
    # (and the work picked up again later), never shown as an error to the person who acted.
    transaction.on_commit(lambda: signal.send(sender=None, **ids), robust=True)

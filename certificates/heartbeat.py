"""Claiming a long job and keeping it claimed, so a job whose worker died is taken over.

A runner claims a job by compare-and-set on its heartbeat: it writes a fresh `heartbeat_at`
only where the row still holds the value it read. It writes the heartbeat again with each
piece of progress, by the same compare-and-set, and stops the moment that fails: another
runner has taken the job over. A running job whose heartbeat is older than JOB_STALE_AFTER
lost its worker; the next delivery of its task, or the beat task `bulk_jobs_resume`, claims it.
Two runners therefore never work on one job at once.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Model, Q
from django.utils import timezone

QUEUED, RUNNING = "queued", "running"


def stale_before(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(seconds=settings.JOB_STALE_AFTER)


def stale_jobs(model: type[Model], now: datetime | None = None):
    """Jobs nobody is working on: running without a recent heartbeat, or long queued."""
    before = stale_before(now)
    return model.objects.filter(
        Q(status=RUNNING, heartbeat_at__lt=before) | Q(status=QUEUED, created_at__lt=before)
    )


def job_claim(model: type[Model], pk: int) -> tuple[datetime | None, bool]:
    """Take the job if it is queued or its runner went quiet.

    Returns (claim, first): the heartbeat written, which the runner passes to `job_beat`, or
    None when the job is finished or someone alive runs it; `first` when it was still queued.
    """
    row = model.objects.filter(pk=pk).values("status", "heartbeat_at").first()
    if row is None or row["status"] not in (QUEUED, RUNNING):
        return None, False
    now = timezone.now()
    alive = row["heartbeat_at"] is not None and row["heartbeat_at"] >= stale_before(now)
    if row["status"] == RUNNING and alive:
        return None, False
    first = row["status"] == QUEUED
    changes = {"status": RUNNING, "heartbeat_at": now, "attempts": F("attempts") + 1}
    if first:
        changes["started_at"] = now
    claimed = model.objects.filter(
        pk=pk, status=row["status"], heartbeat_at=row["heartbeat_at"]
    ).update(**changes)
    return (now, first) if claimed else (None, False)


def job_beat(model: type[Model], pk: int, claim: datetime, **changes) -> datetime | None:
    """Write the heartbeat (and `changes`) if the job is still ours; None once it is not."""
    now = timezone.now()
    if now <= claim:  # the clock must move for the next compare-and-set to mean anything
        now = claim + timedelta(microseconds=1)
    updated = model.objects.filter(pk=pk, status=RUNNING, heartbeat_at=claim).update(
        heartbeat_at=now, **changes
    )
    return now if updated else None

"""The data each webhook event carries, built from the same certificate data as the API's.

certificate.issued, certificate.deleted:  {"certificate": Certificate}
certificate.reissued:                     {"certificate": the new one, "replaces": the old one}
certificate.expiring:                     {"certificate": Certificate, "expires_on": "YYYY-MM-DD"}
(certificate.expiring is sent by the certificate expiry feature when it comes, through
`event_deliveries_create(WebhookEvent.EXPIRING, certificate_id, expires_on=…)`.)
"""

import datetime

from . import schemas, selectors, webhooks
from .models import WebhookEvent


def _certificate(pk: int):
    return selectors.certificates().filter(pk=pk).first()


def _json(certificate) -> dict:
    return schemas.CertificateOut(**schemas.certificate_data(certificate)).model_dump(mode="json")


def event_data(event: str, certificate, *, replaces=None, expires_on=None) -> dict:
    data = {"certificate": _json(certificate)}
    if event == WebhookEvent.REISSUED:
        data["replaces"] = _json(replaces) if replaces is not None else None
    if event == WebhookEvent.EXPIRING:
        data["expires_on"] = datetime.date.fromisoformat(str(expires_on)).isoformat()
    return data


def event_deliveries_create(
    event: str, certificate_id: int, *, replaces_id: int | None = None, expires_on=None
) -> list[int]:
    """The deliveries of one event about one certificate; ids of the ones created now."""
    certificate = _certificate(certificate_id)
    if certificate is None:
        return []
    replaces = _certificate(replaces_id) if replaces_id else None
    data = event_data(event, certificate, replaces=replaces, expires_on=expires_on)
    return webhooks.deliveries_create(
        project_id=certificate.project_id,
        event=event,
        subject_id=certificate.id,
        body=webhooks.payload(event, data),
    )

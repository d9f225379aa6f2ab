"""/api/v1/verify/{code}: the public verification data, as the verify page shows it."""

from django.http import Http404
from ninja import Path, Router

from certificates.models import Certificate
from certificates.verification import normalise_code, public_data

from .. import schemas
from ..http import COMMON_ERRORS, problems

router = Router(tags=["verify"])


@router.get(
    "/verify/{code}",
    response={200: schemas.VerifyOut, **problems(*COMMON_ERRORS)},
    summary="Verify a certificate by its code",
)
def verify(request, code: str = Path(..., max_length=64)):
    """What the public verify page shows for a code of this school's certificates."""
    certificate = (
        Certificate.objects.select_related("replaced_by")
        .filter(project=request.project, code=normalise_code(code))
        .first()
    )
    if certificate is None:
        raise Http404
    return public_data(certificate)

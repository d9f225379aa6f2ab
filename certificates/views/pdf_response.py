"""A stored PDF sent as a stream from its storage (a folder or a bucket), never read whole."""

from django.http import FileResponse


def pdf_file_response(handle, *, filename: str, as_attachment: bool) -> FileResponse:
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type="application/pdf"
    )
    # A bucket's stream cannot seek, so FileResponse cannot measure it; the bucket said.
    if "Content-Length" not in response and getattr(handle, "size", None):
        response["Content-Length"] = str(handle.size)
    return response

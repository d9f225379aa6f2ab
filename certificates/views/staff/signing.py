"""Settings → Signing key: the school's key for PDFs and Open Badges; upload and rotation."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import staff_view
from certificates import signing
from certificates.models import SigningKey


class KeyUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("PKCS#12 file (.p12, .pfx)"))
    password = forms.CharField(
        label=gettext_lazy("Password of the file"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


def _page(request, *, form=None, confirm_rotate=False, status=200):
    keys = SigningKey.objects.filter(project=request.project).order_by("-created_at", "-id")
    context = {
        "section": "signing",
        "keys": keys,
        "current": next((key for key in keys if key.is_current), None),
        "form": form or KeyUploadForm(),
        "confirm_rotate": confirm_rotate,
    }
    return render(request, "staff/signing/keys.html", context, status=status)


@staff_view(editor=True)
@require_http_methods(["GET"])
def signing_keys(request):
    return _page(request, confirm_rotate=request.GET.get("rotate") == "1")


@staff_view(editor=True)
@require_POST
def signing_key_rotate(request):
    signing.signing_key_rotate(project=request.project, actor=request.user)
    messages.success(
        request, _("A new signing key is in use. Certificates signed before stay valid.")
    )
    return redirect("staff:signing_keys", request.project.slug)


@staff_view(editor=True)
@require_POST
def signing_key_upload(request):
    form = KeyUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > signing.PKCS12_MAX_BYTES:
                raise signing.SigningError(_("The file is too large for a PKCS#12 key file."))
            signing.signing_key_upload(
                project=request.project,
                data=upload.read(),
                password=form.cleaned_data["password"],
                actor=request.user,
            )
        except signing.SigningError as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("Your key is now the school's signing key."))
            return redirect("staff:signing_keys", request.project.slug)
    return _page(request, form=form, status=400)

"""Forms of the public verification page."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=64,
        help_text=_("The 16 letters and digits printed under the QR code."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class FileForm(forms.Form):
    file = forms.FileField(
        label=_("Certificate file"),
        help_text=_("A certificate PDF, or an Open Badge credential (.jwt or .json)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.VERIFY_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB; a certificate is much smaller.")
                % {"size": settings.VERIFY_UPLOAD_MAX_BYTES // (1024 * 1024)}
            )
        return upload

"""Staff forms of the contact card. Forms check and convert; the services save (and check)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Contact


class ContactNamesForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=Contact._meta.get_field("name").max_length)
    print_name = forms.CharField(
        label=_("Name on certificates"),
        max_length=Contact._meta.get_field("print_name").max_length,
        required=False,
        help_text=_(
            "Exactly as it is to be printed; empty means the name above. Certificates already "
            "issued keep their printed name until they are reissued, and the participant is "
            "asked to confirm the new spelling in the portal."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-control" + (
                " is-invalid" if name in self.errors else ""
            )
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}_help"

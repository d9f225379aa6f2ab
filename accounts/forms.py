"""Staff forms of accounts. Forms check and convert; the services save (and check)."""

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Project


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class SchoolSettingsForm(forms.Form):
    language = forms.ChoiceField(
        label=Project._meta.get_field("language").verbose_name,
        choices=Project._meta.get_field("language").choices,
        help_text=_(
            "Dates on certificates and the emails students get are in this language; "
            "everyone's pages stay in the language they chose."
        ),
    )
    time_zone = forms.ChoiceField(
        label=Project._meta.get_field("time_zone").verbose_name,
        choices=time_zone_choices,
        help_text=_("The issue date printed on a certificate is the date in this time zone."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.update(
                {"class": "form-select", "aria-describedby": f"id_{name}_help"}
            )

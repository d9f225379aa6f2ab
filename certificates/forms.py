"""Staff forms for certificate templates and a course's certificate settings.

Forms only check and convert input; the services save it (and check again).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import rendering
from .models import CertificateTemplate, CourseCertificate
from .numbering import format_number, validate_number_format

MAX_BACKGROUND_BYTES = 5 * 1024 * 1024
# 4000 px a side is sharper than a printer needs on A4 (about 340 dpi across) and keeps a
# render quick: at 8000 px the decoded picture alone was 192 MB and each PDF took seconds.
MAX_BACKGROUND_PIXELS = 4000
BACKGROUND_FORMATS = {"PNG", "JPEG"}


def bootstrap(form: forms.BaseForm) -> None:
    """Bootstrap classes on the widgets, so templates can render fields plainly."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        if name in form.errors:
            css += " is-invalid"
        widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()
        if field.help_text:
            widget.attrs.setdefault("aria-describedby", f"{form.auto_id % name}_help")


def example_number(number_format: str, prefix: str) -> str:
    return format_number(number_format, prefix=prefix, year=timezone.localdate().year, seq=123)


def source_field(label) -> forms.CharField:
    # Declared here rather than built from the model's TextField: max_length given to the
    # constructor adds the validator (setting it on a built field only changes the widget).
    # Kept as typed (strip=False): stripping would make every save of an unchanged design
    # differ from the stored one by its final newline, and bump the version.
    return forms.CharField(
        label=label,
        max_length=rendering.MAX_SOURCE_CHARS,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 18,
                "spellcheck": "false",
                "wrap": "off",
                "class": "font-monospace small",
            }
        ),
    )


class TemplateForm(forms.ModelForm):
    html = source_field(_("HTML"))
    css = source_field(_("CSS"))

    class Meta:
        model = CertificateTemplate
        fields = ["name", "html", "css", "page_size", "orientation", "language", "background"]
        widgets = {
            "background": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        }
        help_texts = {
            "background": _(
                "PNG or JPEG, up to 5 MB and 4000 pixels a side; it covers the whole page."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["css"].required = False
        self.fields["css"].widget.attrs["rows"] = 12

    def clean_html(self):
        # Browsers send textarea lines with CRLF; stored designs use LF.
        html = self.cleaned_data["html"].replace("\r\n", "\n")
        errors = rendering.validate_template_html(html) + rendering.validate_template_size(
            html=html, css=""
        )
        if errors:
            raise ValidationError(errors)
        return html

    def clean_css(self):
        return self.cleaned_data["css"].replace("\r\n", "\n")

    def clean_background(self):
        background = self.cleaned_data.get("background")
        if not isinstance(background, UploadedFile):
            return background  # unchanged, or cleared
        check_uploaded_image(background)
        return background


def check_uploaded_image(upload) -> None:
    """A background or a signature: PNG or JPEG, size and pixel limits, decoded by Pillow."""
    if upload.size > MAX_BACKGROUND_BYTES:
        raise ValidationError(
            _("The image is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_BACKGROUND_BYTES)}
        )
    # ImageField has already opened it with Pillow: trust the decoded format, not the name.
    image = getattr(upload, "image", None)
    if image is None or image.format not in BACKGROUND_FORMATS:
        raise ValidationError(_("Upload a PNG or JPEG image."))
    if max(image.size) > MAX_BACKGROUND_PIXELS:
        width, height = image.size
        raise ValidationError(
            _(
                "The image is %(width)d × %(height)d pixels; the limit is %(max)d pixels on each "
                "side, so that certificates render quickly. Scale it down and upload it again."
            )
            % {"width": width, "height": height, "max": MAX_BACKGROUND_PIXELS}
        )


class LessonsField(forms.ModelMultipleChoiceField):
    """Lessons by id. An id past a 64-bit integer is an invalid choice like any other unknown
    id; Django would hand it to the database, and SQLite raises OverflowError on it."""

    def _check_values(self, value):
        for pk in value:
            try:
                too_big = abs(int(pk)) >= 2**63
            except (TypeError, ValueError):
                continue  # not a number: Django's own check says so
            if too_big:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


def radio_choice(label, choices, *, required=True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )


def optional_number(label, min_value, max_value, *, help_text) -> forms.IntegerField:
    """A whole number within bounds that may be left empty (empty: the rule does not apply)."""
    return forms.IntegerField(
        label=label,
        min_value=min_value,
        max_value=max_value,
        required=False,
        help_text=help_text,
    )


class CourseCertificateForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Template"), queryset=CertificateTemplate.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Certificate name"), max_length=200)
    number_prefix = forms.CharField(
        label=_("Number prefix"),
        max_length=20,
        required=False,
        help_text=_("Short letters printed before the number, e.g. PY."),
    )
    number_format = forms.CharField(
        label=_("Number format"),
        max_length=60,
        help_text=_(
            "Use {prefix}, {year} and {seq}; {seq:06} pads the number to six digits. "
            "Numbers count up across the whole school."
        ),
    )
    auto_issue = forms.BooleanField(
        label=_("Issue automatically when the conditions are met"), required=False
    )
    completion = radio_choice(_("Condition"), CourseCertificate.Completion.choices)
    min_percent = optional_number(
        _("Minimum share of lessons, %"),
        1,
        100,
        help_text=_("Used with “A minimum share of lessons completed”."),
    )
    required_lessons = LessonsField(
        label=_("Required lessons"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("These lessons must be completed whatever the condition above."),
    )
    min_test_score = optional_number(
        _("Minimum test score, %"),
        0,
        100,
        help_text=_("Applies to every test of the course. Empty: each test's own pass score."),
    )
    signer_name = forms.CharField(label=_("Signer's name"), max_length=120, required=False)
    signer_title = forms.CharField(
        label=_("Signer's title"),
        max_length=120,
        required=False,
        help_text=_("E.g. Director of Studies."),
    )
    signature = forms.ImageField(
        label=_("Signature"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text=_("PNG or JPEG, up to 5 MB; a transparent PNG prints best."),
    )
    expiry = radio_choice(_("Expiry"), CourseCertificate.Expiry.choices, required=False)
    expiry_date = forms.DateField(
        label=_("Expiry date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Used with “Expires on a fixed date”: every certificate expires that day."),
    )
    expiry_months = optional_number(
        _("Months of validity"),
        1,
        1200,
        help_text=_(
            "Used with “Expires a number of months after issue”, counted from each issue date."
        ),
    )

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.fields["template"].queryset = CertificateTemplate.objects.filter(
            project_id=course.project_id
        )
        self.fields["required_lessons"].queryset = course.lessons.order_by("position")
        for n in range(1, rendering.CUSTOM_FIELDS + 1):
            self.fields[f"custom_{n}_label"] = forms.CharField(
                label=_("Label %(n)d") % {"n": n}, max_length=60, required=False
            )
            self.fields[f"custom_{n}_label"].widget.attrs["placeholder"] = _("Label %(n)d") % {
                "n": n
            }
            self.fields[f"custom_{n}"] = forms.CharField(
                label=_("Value %(n)d") % {"n": n}, max_length=200, required=False
            )
            self.fields[f"custom_{n}"].widget.attrs["placeholder"] = _("Value %(n)d") % {"n": n}

    def custom_rows(self):
        """Bound fields of the custom rows, paired (label, value), for the template."""
        return [
            (n, self[f"custom_{n}_label"], self[f"custom_{n}"])
            for n in range(1, rendering.CUSTOM_FIELDS + 1)
        ]

    def clean_signature(self):
        signature = self.cleaned_data.get("signature")
        if isinstance(signature, UploadedFile):
            check_uploaded_image(signature)
        return signature

    def service_arguments(self) -> dict:
        """cleaned_data in the shape course_certificate_save takes."""
        data = dict(self.cleaned_data)
        rows = []
        for n in range(1, rendering.CUSTOM_FIELDS + 1):
            label, value = data.pop(f"custom_{n}_label", ""), data.pop(f"custom_{n}", "")
            rows.append({"label": label or "", "value": value or ""})
        data["custom_fields"] = rows
        # As ClearableFileInput gives it: False when "clear" is ticked, None when nothing was
        # sent, a file when one was; course_certificate_save takes the same three.
        data["signature"] = data.get("signature")
        return data

    @classmethod
    def initial_for(cls, course_certificate: CourseCertificate | None, course) -> dict:
        if course_certificate is None:
            return {
                "title": _("Certificate of Completion"),
                "number_format": CourseCertificate._meta.get_field("number_format").default,
                "auto_issue": True,
                "completion": CourseCertificate.Completion.ALL_LESSONS,
                "min_percent": 100,
                "expiry": CourseCertificate.Expiry.NEVER,
            }
        return {
            "template": course_certificate.template_id,
            "title": course_certificate.title,
            "number_prefix": course_certificate.number_prefix,
            "number_format": course_certificate.number_format,
            "auto_issue": course_certificate.auto_issue,
            "completion": course_certificate.completion,
            "min_percent": course_certificate.min_percent,
            "required_lessons": list(course_certificate.required_lessons.all()),
            "min_test_score": course_certificate.min_test_score,
            "signer_name": course_certificate.signer_name,
            "signer_title": course_certificate.signer_title,
            "signature": course_certificate.signature or None,
            **{
                f"{key}": value
                for n, row in enumerate(course_certificate.custom_fields or [], start=1)
                if n <= rendering.CUSTOM_FIELDS and isinstance(row, dict)
                for key, value in (
                    (f"custom_{n}_label", row.get("label", "")),
                    (f"custom_{n}", row.get("value", "")),
                )
            },
            "expiry": course_certificate.expiry,
            "expiry_date": course_certificate.expiry_date,
            "expiry_months": course_certificate.expiry_months,
        }

    def clean_expiry(self):
        # Nothing chosen (a form posted before expiry existed) means the default: never.
        return self.cleaned_data.get("expiry") or CourseCertificate.Expiry.NEVER

    def clean_number_format(self):
        number_format = self.cleaned_data["number_format"]
        validate_number_format(number_format)
        return number_format

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("completion") == CourseCertificate.Completion.PERCENT
            and cleaned.get("min_percent") is None
            and "min_percent" not in self.errors
        ):
            self.add_error("min_percent", _("Enter the minimum share of lessons."))
        expiry = cleaned.get("expiry")
        for mode, name, message in (
            (CourseCertificate.Expiry.DATE, "expiry_date", _("Enter the expiry date.")),
            (CourseCertificate.Expiry.MONTHS, "expiry_months", _("Enter the number of months.")),
        ):
            if expiry == mode and cleaned.get(name) is None and name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def example_number(self) -> str:
        """The number the next certificate would get, for the values on screen."""
        data = self.cleaned_data if self.is_bound else self.initial
        number_format = data.get("number_format")
        if not number_format:
            return ""
        try:
            return example_number(number_format, data.get("number_prefix") or "")
        except (ValueError, KeyError, IndexError):
            return ""


class ExtendExpiryForm(forms.Form):
    """The Products tab's "Extend expiry": a later date and why."""

    new_date = forms.DateField(label=_("New expiry date"))
    reason = forms.CharField(label=_("Reason"), max_length=500)

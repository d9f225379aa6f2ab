from django.contrib import admin

from .models import Certificate, CertificateEvent, CertificateTemplate, CourseCertificate


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(admin.ModelAdmin):
    """Read-only: a change must go through `template_save`, which makes a new version and
    revision; an edit here would print the old revision while the preview showed the new one.
    The template editor on the staff side is where templates change."""

    list_display = ["name", "project", "version", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CourseCertificate)
class CourseCertificateAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "template", "auto_issue"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Read-only: certificates change only through the services (issue, delete)."""

    list_display = ["number", "contact", "course_certificate", "issued_at", "method", "deleted_at"]
    list_filter = ["project", "method", "forced"]
    search_fields = ["number", "contact__name", "contact__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CertificateEvent)
class CertificateEventAdmin(admin.ModelAdmin):
    list_display = ["certificate", "kind", "actor", "at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

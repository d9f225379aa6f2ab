from django.contrib import admin

from .models import Certificate, CertificateEvent, CertificateTemplate, CourseCertificate


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "version", "updated_at"]
    readonly_fields = ["version"]


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

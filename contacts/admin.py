from django.contrib import admin

from .models import Contact


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "project"]
    list_filter = ["project"]
    search_fields = ["name", "email", "phone"]
    raw_id_fields = ["user"]

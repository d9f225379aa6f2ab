from django.contrib import admin

from .models import Access, Course, Lesson


class LessonInline(admin.TabularInline):
    model = Lesson
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "hours"]
    inlines = [LessonInline]


@admin.register(Access)
class AccessAdmin(admin.ModelAdmin):
    list_display = ["contact", "course", "starts_at", "ends_at", "paused_at", "revoked_at"]
    raw_id_fields = ["contact"]

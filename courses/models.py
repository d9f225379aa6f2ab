import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    project = models.ForeignKey(
        "accounts.Project", on_delete=models.CASCADE, related_name="courses"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Printed on certificates as course_hours; empty prints nothing.
    hours = models.PositiveSmallIntegerField(
        _("hours"), null=True, blank=True, help_text=_("Study hours printed on certificates.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        # The Certificates report sorts by course title within a project.
        indexes = [models.Index(fields=["project", "title", "id"], name="course_project_title")]

    def __str__(self):
        return self.title


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    position = models.PositiveIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"), blank=True)
    is_test = models.BooleanField(_("test"), default=False)
    # Percent of correct answers needed to pass; only meaningful for tests.
    pass_score = models.PositiveSmallIntegerField(_("pass score, %"), null=True, blank=True)

    class Meta:
        ordering = ["course", "position"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="lesson_unique_position"),
            models.CheckConstraint(
                condition=Q(pass_score__isnull=True) | Q(pass_score__lte=100),
                name="lesson_pass_score_percent",
            ),
        ]

    def __str__(self):
        return self.title


class Question(models.Model):
    """A question of a test lesson; a score is the percent of questions answered right."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    text = models.CharField(max_length=500)

    class Meta:
        ordering = ["lesson", "position"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "position"], name="question_unique_position"),
        ]

    def __str__(self):
        return self.text


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=300)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "id"]

    def __str__(self):
        return self.text


class AccessQuerySet(models.QuerySet):
    def active(self, at=None):
        return self.filter(Access.active_q(at))


class Access(models.Model):
    """A contact's access to a course: what the contact card lists as a product."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        SCHEDULED = "scheduled", _("not started yet")
        EXPIRED = "expired", _("expired")
        PAUSED = "paused", _("paused")
        REVOKED = "revoked", _("revoked")

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="accesses"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="accesses")
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("access")
        verbose_name_plural = _("accesses")
        constraints = [
            models.UniqueConstraint(fields=["contact", "course"], name="access_unique_course"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="access_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.contact} → {self.course}"

    # "Active access" is defined here and only here: the query and the instance agree.
    @staticmethod
    def active_q(at=None) -> Q:
        at = at or timezone.now()
        return (
            Q(starts_at__lte=at)
            & (Q(ends_at__isnull=True) | Q(ends_at__gt=at))
            & Q(paused_at__isnull=True)
            & Q(revoked_at__isnull=True)
        )

    def status(self, at=None) -> "Access.Status":
        at = at or timezone.now()
        if self.revoked_at:
            return self.Status.REVOKED
        if self.paused_at:
            return self.Status.PAUSED
        if self.starts_at > at:
            return self.Status.SCHEDULED
        if self.ends_at and self.ends_at <= at:
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    def is_active(self, at=None) -> bool:
        return self.status(at) == self.Status.ACTIVE


class LessonProgress(models.Model):
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score, %"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["contact", "lesson"], name="progress_unique_lesson"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="progress_score_percent"
            ),
        ]

    def __str__(self):
        return f"{self.contact} / {self.lesson}"

"""Pure evaluation of a course certificate's conditions: met? and if not, what is missing?

No database access here: callers load lessons and progress (in bulk where they list many).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Rules:
    completion: str  # "all" or "percent"
    min_percent: int
    required_lesson_ids: frozenset[int]
    min_test_score: int | None


@dataclass(frozen=True)
class LessonState:
    id: int
    title: str
    is_test: bool
    pass_score: int | None
    completed: bool
    score: int | None


@dataclass(frozen=True)
class TestResult:
    title: str
    score: int | None
    needed: int


@dataclass(frozen=True)
class Evaluation:
    met: bool
    completed: int
    total: int
    missing: tuple[str, ...]
    tests: tuple[TestResult, ...]

    @property
    def percent(self) -> int:
        # Rounded down: showing "67 %" for 2 of 3 next to a 67 % bar that is not met, or
        # "100 %" with one lesson of 200 left, would contradict the status beside it.
        return 100 * self.completed // self.total if self.total else 0

    @property
    def lessons_left(self) -> int:
        return self.total - self.completed

    def as_snapshot(self) -> dict:
        return {
            "completed": self.completed,
            "total": self.total,
            "percent": self.percent,
            "conditions_met": self.met,
            "tests": [{"title": t.title, "score": t.score, "needed": t.needed} for t in self.tests],
        }


def rules_of(course_certificate, required_lesson_ids: Iterable[int]) -> Rules:
    return Rules(
        completion=course_certificate.completion,
        min_percent=course_certificate.min_percent,
        required_lesson_ids=frozenset(required_lesson_ids),
        min_test_score=course_certificate.min_test_score,
    )


def lesson_states(lessons: Iterable, progress_by_lesson: Mapping[int, object]) -> list[LessonState]:
    states = []
    for lesson in lessons:
        progress = progress_by_lesson.get(lesson.id)
        states.append(
            LessonState(
                id=lesson.id,
                title=lesson.title,
                is_test=lesson.is_test,
                pass_score=lesson.pass_score,
                completed=bool(progress and progress.completed_at),
                score=progress.score if progress else None,
            )
        )
    return states


def evaluate(rules: Rules, lessons: list[LessonState]) -> Evaluation:
    total = len(lessons)
    completed = sum(1 for lesson in lessons if lesson.completed)
    missing: list[str] = []

    if rules.completion == "percent":
        # Integer arithmetic: 2 of 3 lessons is 66.7 %, which must not pass a 67 % bar.
        needed = -(-rules.min_percent * total // 100)
        if completed < needed:
            left = needed - completed
            missing.append(
                ngettext(
                    "%(left)d more lesson needed (%(min)d%% of the course)",
                    "%(left)d more lessons needed (%(min)d%% of the course)",
                    left,
                )
                % {"left": left, "min": rules.min_percent}
            )
    elif completed < total:
        left = total - completed
        missing.append(
            ngettext(
                "%(left)d of %(total)d lesson left",
                "%(left)d of %(total)d lessons left",
                total,
            )
            % {"left": left, "total": total}
        )

    for lesson in lessons:
        if lesson.id in rules.required_lesson_ids and not lesson.completed:
            missing.append(_("required lesson “%(title)s” not completed") % {"title": lesson.title})

    tests = []
    for lesson in lessons:
        if not lesson.is_test:
            continue
        needed = (
            rules.min_test_score if rules.min_test_score is not None else lesson.pass_score or 0
        )
        tests.append(TestResult(title=lesson.title, score=lesson.score, needed=needed))
        if rules.min_test_score is None:
            continue  # the test counts through its own pass score, as a lesson
        if lesson.score is None:
            missing.append(_("test “%(title)s” not taken") % {"title": lesson.title})
        elif lesson.score < needed:
            missing.append(
                _("test “%(title)s”: score %(score)d of %(needed)d needed")
                % {"title": lesson.title, "score": lesson.score, "needed": needed}
            )

    return Evaluation(
        met=not missing and total > 0,
        completed=completed,
        total=total,
        missing=tuple(missing) if total else (_("the course has no lessons yet"),),
        tests=tuple(tests),
    )

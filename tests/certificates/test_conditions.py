"""The pure evaluation of a course certificate's conditions: no database involved."""

import pytest

from certificates.conditions import LessonState, Rules, evaluate, lesson_states


def lesson(id, done=False, *, test=False, pass_score=None, score=None, title=None):
    return LessonState(
        id=id,
        title=title or f"Lesson {id}",
        is_test=test,
        pass_score=pass_score,
        completed=done,
        score=score,
    )


ALL = Rules("all", 100, frozenset(), None)


def percent_rule(min_percent):
    return Rules("percent", min_percent, frozenset(), None)


def test_all_lessons_completed_is_met():
    result = evaluate(ALL, [lesson(1, True), lesson(2, True), lesson(3, True)])
    assert result.met
    assert result.missing == ()
    assert (result.completed, result.total, result.percent, result.lessons_left) == (3, 3, 100, 0)


def test_all_lessons_one_left_says_how_many():
    result = evaluate(ALL, [lesson(1, True), lesson(2, True), lesson(3)])
    assert not result.met
    assert result.missing == ("1 of 3 lessons left",)
    assert result.lessons_left == 1


def test_a_course_without_lessons_is_never_met():
    result = evaluate(ALL, [])
    assert not result.met
    assert result.missing == ("the course has no lessons yet",)
    assert result.percent == 0
    assert not evaluate(percent_rule(50), []).met


@pytest.mark.parametrize(
    ("min_percent", "done", "percent", "missing"),
    [
        (67, 2, 66, "1 more lesson needed (67% of the course)"),  # 66.7 % is below 67 %
        (66, 2, 66, None),
        (67, 3, 100, None),
        (50, 1, 33, "1 more lesson needed (50% of the course)"),
        (50, 2, 66, None),
        (34, 1, 33, "1 more lesson needed (34% of the course)"),  # 1.02 lessons: 2 needed
        (100, 2, 66, "1 more lesson needed (100% of the course)"),
        (100, 1, 33, "2 more lessons needed (100% of the course)"),
        (67, 0, 0, "3 more lessons needed (67% of the course)"),
        (1, 1, 33, None),
    ],
)
def test_minimum_percent_of_lessons_uses_exact_arithmetic(min_percent, done, percent, missing):
    lessons = [lesson(i, i <= done) for i in (1, 2, 3)]
    result = evaluate(percent_rule(min_percent), lessons)
    assert result.met is (missing is None)
    assert result.missing == ((missing,) if missing else ())
    assert (result.completed, result.total, result.percent) == (done, 3, percent)


def test_displayed_percent_never_claims_a_bar_that_is_not_met():
    # 2 of 3 shows 66 %, not a rounded 67 % beside a 67 % condition that is not met.
    result = evaluate(percent_rule(67), [lesson(1, True), lesson(2, True), lesson(3)])
    assert result.percent == 66
    assert not result.met
    # 199 of 200 is not 100 %.
    many = [lesson(i, i < 200) for i in range(1, 201)]
    assert evaluate(ALL, many).percent == 99


def test_required_lesson_must_be_completed_even_above_the_percent():
    rules = Rules("percent", 50, frozenset({3}), None)
    lessons = [lesson(1, True), lesson(2, True), lesson(3, title="Final project")]
    result = evaluate(rules, lessons)
    assert not result.met
    assert result.missing == ("required lesson “Final project” not completed",)
    done = evaluate(rules, [lesson(1, True), lesson(2), lesson(3, True)])
    assert done.met


def test_without_a_minimum_score_a_test_counts_through_its_own_pass_score():
    lessons = [lesson(1, True), lesson(2, True, test=True, pass_score=60, score=65)]
    result = evaluate(ALL, lessons)
    assert result.met
    assert [(t.title, t.score, t.needed) for t in result.tests] == [("Lesson 2", 65, 60)]


def test_minimum_test_score_refuses_a_pass_below_it():
    rules = Rules("all", 100, frozenset(), 70)
    lessons = [lesson(1, True), lesson(2, True, test=True, pass_score=60, score=66, title="Quiz")]
    result = evaluate(rules, lessons)
    assert not result.met
    assert result.missing == ("test “Quiz”: score 66 of 70 needed",)
    assert result.tests[0].needed == 70

    passed = [lesson(1, True), lesson(2, True, test=True, pass_score=60, score=70)]
    assert evaluate(rules, passed).met


def test_minimum_test_score_reports_a_test_not_taken():
    rules = Rules("percent", 50, frozenset(), 80)
    lessons = [lesson(1, True), lesson(2, True), lesson(3, test=True, title="Exam")]
    result = evaluate(rules, lessons)
    assert not result.met
    assert result.missing == ("test “Exam” not taken",)


def test_every_missing_thing_is_listed_together():
    rules = Rules("all", 100, frozenset({1}), 90)
    lessons = [lesson(1, title="Intro"), lesson(2, test=True, pass_score=50, score=40, title="T")]
    result = evaluate(rules, lessons)
    assert result.missing == (
        "2 of 2 lessons left",
        "required lesson “Intro” not completed",
        "test “T”: score 40 of 90 needed",
    )


def test_snapshot_of_an_evaluation():
    rules = Rules("all", 100, frozenset(), None)
    lessons = [lesson(1, True), lesson(2, test=True, pass_score=60, score=30, title="Quiz")]
    assert evaluate(rules, lessons).as_snapshot() == {
        "completed": 1,
        "total": 2,
        "percent": 50,
        "conditions_met": False,
        "tests": [{"title": "Quiz", "score": 30, "needed": 60}],
    }


def test_lesson_states_read_progress_rows():
    class Row:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    lessons = [
        Row(id=1, title="A", is_test=False, pass_score=None),
        Row(id=2, title="B", is_test=True, pass_score=60),
        Row(id=3, title="C", is_test=False, pass_score=None),
    ]
    progress = {1: Row(completed_at="2026-01-01", score=None), 2: Row(completed_at=None, score=40)}
    states = lesson_states(lessons, progress)
    assert [(s.id, s.completed, s.score) for s in states] == [
        (1, True, None),
        (2, False, 40),
        (3, False, None),
    ]

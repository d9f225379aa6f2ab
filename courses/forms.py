"""Forms of the student portal's courses: a test lesson's answers and their grading."""

from django import forms
from django.utils.translation import gettext_lazy as _


class TestAnswersForm(forms.Form):
    """One radio group per question of a test lesson; grades the answers as a percent."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[self.field_name(question)] = forms.TypedChoiceField(
                label=question.text,
                choices=[(choice.pk, choice.text) for choice in question.choices.all()],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")},
            )

    @staticmethod
    def field_name(question) -> str:
        return f"question-{question.pk}"

    def score(self) -> int:
        """Percent of questions answered right, rounded down: 2 of 3 must not pass a 67 bar."""
        if not self.questions:
            return 0
        right = 0
        for question in self.questions:
            chosen = self.cleaned_data[self.field_name(question)]
            right += any(c.pk == chosen and c.is_correct for c in question.choices.all())
        return 100 * right // len(self.questions)

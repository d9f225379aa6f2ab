"""Demo data: a school, courses, templates, staff and students in every certificate state."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Project, User
from certificates import defaults, services
from certificates.models import CertificateTemplate, CourseCertificate
from contacts.models import Contact
from courses.models import Choice, Course, Lesson, Question
from courses.services import access_grant, lesson_complete

STUDENTS = [
    ("Андрій Шевченко", "andriy.shevchenko"),
    ("Marta Nowak", "marta.nowak"),
    ("Ірина Бондаренко", "iryna.bondarenko"),
    ("John Carter", "john.carter"),
    ("Тарас Мельник", "taras.melnyk"),
    ("Sofia Rossi", "sofia.rossi"),
    ("Оксана Ткаченко", "oksana.tkachenko"),
    ("Lukas Becker", "lukas.becker"),
    ("Дмитро Кравченко", "dmytro.kravchenko"),
    ("Emma Dubois", "emma.dubois"),
    ("Наталія Олійник", "nataliia.oliinyk"),
    ("Oliver Smith", "oliver.smith"),
    ("Юлія Поліщук", "yuliia.polishchuk"),
    ("Mateo García", "mateo.garcia"),
    ("Богдан Лисенко", "bohdan.lysenko"),
    ("Chloe Martin", "chloe.martin"),
    ("Вікторія Савченко", "viktoriia.savchenko"),
    ("Noah Wilson", "noah.wilson"),
    ("Максим Руденко", "maksym.rudenko"),
    ("Anna Kowalska", "anna.kowalska"),
    ("Софія Мороз", "sofiia.moroz"),
    ("Ethan Brown", "ethan.brown"),
]


class Command(BaseCommand):
    help = "Load the demo school (development only; running it again changes nothing)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo loads known passwords: run it only with DEBUG=true.")
        if Project.objects.filter(slug="demo").exists():
            self.stdout.write("Demo data is already loaded.")
            return
        self.now = timezone.now()
        # One transaction: a failed load leaves nothing behind. Automatic issuance runs after
        # the commit, through the same signals and tasks as for real students.
        with transaction.atomic():
            self.create_school()
            self.create_progress()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo School loaded: admin@demo.local / demo-admin, "
                "student@demo.local / demo-student"
            )
        )

    def create_school(self):
        self.project = Project.objects.create(slug="demo", name="Demo School")
        self.admin = User.objects.create_user(
            "admin@demo.local", "demo-admin", full_name="Ірина Адмін"
        )
        Membership.objects.create(project=self.project, user=self.admin, role=Membership.Role.OWNER)
        manager = User.objects.create_user(
            "manager@demo.local", "demo-manager", full_name="Petro Manager"
        )
        Membership.objects.create(project=self.project, user=manager, role=Membership.Role.MANAGER)

        classic = services.template_save(
            template=CertificateTemplate(
                project=self.project,
                name="Classic",
                html=defaults.CLASSIC_HTML,
                css=defaults.CLASSIC_CSS,
            )
        )
        modern = services.template_save(
            template=CertificateTemplate(
                project=self.project,
                name="Modern",
                html=defaults.MODERN_HTML,
                css=defaults.MODERN_CSS,
            )
        )

        self.python = self.course(
            "Python for Data Analysis",
            [
                "Setting up Python",
                "Variables and types",
                "Lists and dictionaries",
                "Pandas basics",
                "Plotting",
                "Final test",
            ],
            test_last=True,
        )
        CourseCertificate.objects.create(
            project=self.project,
            course=self.python,
            title="Certificate of Completion",
            template=classic,
            number_prefix="PY",
            min_test_score=70,
        )
        self.web = self.course(
            "Web Design Basics",
            [
                "How the web works",
                "HTML structure",
                "CSS layout",
                "Typography",
                "Your portfolio page",
            ],
        )
        CourseCertificate.objects.create(
            project=self.project,
            course=self.web,
            title="Web Design Certificate",
            template=modern,
            number_prefix="WD",
        )
        self.english = self.course(
            "English Conversation Club",
            [
                "Small talk",
                "At the airport",
                "Job interview",
                "Presentations",
            ],
        )

        student = User.objects.create_user("student@demo.local", "demo-student")
        self.olena = Contact.objects.create(
            project=self.project,
            user=student,
            name="Олена Коваленко",
            email="student@demo.local",
            phone="+380 67 123 4567",
        )
        self.others = [
            Contact.objects.create(
                project=self.project,
                name=name,
                email=f"{slug}@example.com",
                phone=f"+380 50 {100 + i:03d} {1000 + i * 7:04d}",
            )
            for i, (name, slug) in enumerate(STUDENTS)
        ]

    def course(self, title, lesson_titles, test_last=False):
        course = Course.objects.create(project=self.project, title=title)
        for position, lesson_title in enumerate(lesson_titles, start=1):
            is_test = test_last and position == len(lesson_titles)
            lesson = Lesson.objects.create(
                course=course,
                position=position,
                title=lesson_title,
                body=f"{lesson_title}: reading and exercises.",
                is_test=is_test,
                pass_score=60 if is_test else None,
            )
            if is_test:
                for q, (text, answers) in enumerate(
                    [
                        ("Which library reads CSV files into a DataFrame?", ["pandas", "requests"]),
                        ("What does len([1, 2, 3]) return?", ["3", "2"]),
                        ("Which keyword defines a function?", ["def", "func"]),
                    ],
                    start=1,
                ):
                    question = Question.objects.create(lesson=lesson, position=q, text=text)
                    for index, answer in enumerate(answers):
                        Choice.objects.create(question=question, text=answer, is_correct=index == 0)
        return course

    def complete(self, contact, course, count=None, score=100):
        lessons = list(course.lessons.order_by("position"))
        for lesson in lessons[: len(lessons) if count is None else count]:
            lesson_complete(contact=contact, lesson=lesson, score=score if lesson.is_test else None)

    def grant(self, contact, course, days_ago=30, ends_in=None):
        ends_at = self.now + timedelta(days=ends_in) if ends_in is not None else None
        return access_grant(
            contact=contact,
            course=course,
            starts_at=self.now - timedelta(days=days_ago),
            ends_at=ends_at,
        )

    def create_progress(self):
        olena, others = self.olena, self.others
        self.grant(olena, self.python, days_ago=60)
        self.complete(olena, self.python)  # issued automatically
        self.grant(olena, self.web, days_ago=20, ends_in=40)
        self.complete(olena, self.web, count=4)  # pending: only the last lesson is left
        self.grant(olena, self.english)

        # Pending with active access, at different stages.
        for i, contact in enumerate(others[0:6]):
            self.grant(contact, self.python, days_ago=10 + i)
            self.complete(contact, self.python, count=i)
        # Completed, certificate issued automatically.
        for contact in others[6:11]:
            self.grant(contact, self.python, days_ago=40)
            self.complete(contact, self.python)
            self.grant(contact, self.web, days_ago=35)
            self.complete(contact, self.web)
        # Completed the lessons but failed the final test: pending with a score to reach.
        self.grant(others[11], self.python, days_ago=25)
        self.complete(others[11], self.python, score=66)
        # Expired access: no Issue now, with the reason.
        for contact in others[12:15]:
            access = self.grant(contact, self.web, days_ago=120, ends_in=30)
            self.complete(contact, self.web, count=2)
            access.ends_at = self.now - timedelta(days=30)
            access.save(update_fields=["ends_at"])
        # A course without a certificate configured.
        for contact in others[15:18]:
            self.grant(contact, self.english, days_ago=15)
            self.complete(contact, self.english, count=3)
        # Deleted, then reissued by staff after the template was fixed.
        reissued = others[18]
        self.grant(reissued, self.python, days_ago=50)
        self.complete(reissued, self.python)
        first, _created = services.certificate_issue(contact=reissued, course=self.python)
        services.certificate_delete(certificate=first, actor=self.admin, reason="Name misspelled")
        services.certificate_issue(contact=reissued, course=self.python, actor=self.admin)
        # Issued early by staff ("Issue now" before completion).
        early = others[19]
        self.grant(early, self.web, days_ago=5)
        self.complete(early, self.web, count=1)
        services.certificate_issue(
            contact=early,
            course=self.web,
            actor=self.admin,
            force=True,
            reason="Finished the course offline",
        )
        # Paused access and a student with access to several courses.
        paused = self.grant(others[20], self.web, days_ago=30)
        paused.paused_at = self.now - timedelta(days=2)
        paused.save(update_fields=["paused_at"])
        self.grant(others[21], self.python, days_ago=3)
        self.grant(others[21], self.web, days_ago=3)
        self.complete(others[21], self.web, count=5)

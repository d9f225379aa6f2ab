"""`manage.py api_token create --school <slug> --name <name> --scope read|write` prints a token."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Membership, Project
from api import tokens
from api.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for a school and print it (it is shown only once)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it.")
        create.add_argument("--school", required=True, help="The school's slug.")
        create.add_argument("--name", required=True, help="What uses the token.")
        create.add_argument("--scope", required=True, choices=ApiToken.Scope.values)
        create.add_argument(
            "--user",
            help="Email of the owner or admin the token acts for (default: the first owner).",
        )

    def handle(self, *args, action, school, name, scope, user=None, **options):
        project = Project.objects.filter(slug=school).first()
        if project is None:
            raise CommandError(f"No school with the slug {school!r}.")
        members = Membership.objects.filter(project=project).select_related("user")
        if user:
            membership = members.filter(user__email__iexact=user).first()
        else:
            membership = members.filter(role=Membership.Role.OWNER).order_by("id").first()
        if membership is None:
            raise CommandError("No such owner or admin in this school; pass --user <email>.")
        try:
            row, token = tokens.token_create(
                project=project, actor=membership.user, name=name, scope=scope
            )
        except tokens.TokenError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(
            f"Token “{row.name}” ({row.get_scope_display()}) for {project.name}, acting as "
            f"{membership.user.email}. It is shown only this once:"
        )
        self.stdout.write(token)

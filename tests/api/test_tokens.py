import hashlib
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Membership
from api import tokens
from api.models import ApiToken
from tests.factories import MembershipFactory


def test_only_a_hash_and_a_short_prefix_of_the_token_are_stored(project, alice):
    row, token = tokens.token_create(project=project, actor=alice, name=" CRM ", scope="read")
    assert token.startswith("lmsk_") and len(token) == 5 + 43
    row.refresh_from_db()
    assert row.name == "CRM"
    assert row.prefix == token[:12]
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(ApiToken.objects.values().get())


def test_a_token_authenticates_until_revoked(project, alice):
    row, token = tokens.token_create(project=project, actor=alice, name="CRM", scope="read")
    assert tokens.token_authenticate(token) == row
    assert tokens.token_authenticate(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    tokens.token_revoke(token=row, actor=alice)
    assert tokens.token_authenticate(token) is None
    assert ApiToken.objects.filter(pk=row.pk, revoked_by=alice).exists()  # kept, not deleted


def test_a_token_stops_when_its_creator_leaves_the_school(project, alice):
    _row, token = tokens.token_create(project=project, actor=alice, name="CRM", scope="read")
    Membership.objects.filter(user=alice).delete()
    assert tokens.token_authenticate(token) is None


def test_last_used_is_written_at_most_once_a_minute(project, alice, django_assert_num_queries):
    row, token = tokens.token_create(project=project, actor=alice, name="CRM", scope="read")
    with django_assert_num_queries(2):  # the lookup and the first last-used write
        tokens.token_authenticate(token)
    with django_assert_num_queries(1):
        tokens.token_authenticate(token)
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    with django_assert_num_queries(2):
        tokens.token_authenticate(token)


def test_a_manager_cannot_create_tokens(project):
    manager = MembershipFactory(project=project, role=Membership.Role.MANAGER).user
    with pytest.raises(tokens.TokenError):
        tokens.token_create(project=project, actor=manager, name="CRM", scope="write")


def test_the_command_prints_a_working_token(project, alice, capsys):
    call_command("api_token", "create", "--school", "demo", "--name", "Site", "--scope", "write")
    token = capsys.readouterr().out.strip()
    row = tokens.token_authenticate(token)
    assert (row.name, row.scope, row.project, row.created_by) == ("Site", "write", project, alice)


def test_the_command_refuses_an_unknown_school(db):
    with pytest.raises(CommandError, match="No school"):
        call_command("api_token", "create", "--school", "nope", "--name", "x", "--scope", "read")

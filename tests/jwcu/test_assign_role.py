import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation

from jwcu.models import Role, RoleAssignment

pytestmark = pytest.mark.django_db


def test_assign_role_gives_and_replaces_a_users_role(union_tree):
    User.objects.create_user("hanako")
    call_command("assign_role", "hanako", "society_editor", "--society", "society-a", "--sensitive")
    assignment = RoleAssignment.objects.get(user__username="hanako")
    assert (assignment.role, assignment.society, assignment.sensitive) == (
        Role.SOCIETY_EDITOR,
        union_tree["society_a"],
        True,
    )
    call_command("assign_role", "hanako", "head_office_editor", "--head-office", "h1")
    assignment.refresh_from_db()
    assert (assignment.role, assignment.head_office, assignment.sensitive) == (
        Role.HEAD_OFFICE_EDITOR,
        union_tree["h1"],
        False,
    )
    assert assignment.history.count() == 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nobody", "viewer"], "No user"),
        (["hanako", "society_editor", "--union", "jwcu-test"], "society editor needs a society"),
        (["hanako", "viewer"], "Say which union"),
        (["hanako", "viewer", "--society", "missing"], "No society"),
    ],
)
def test_assign_role_refuses_bad_arguments(union_tree, arguments, message):
    User.objects.create_user("hanako")
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("assign_role", *arguments)
    assert not RoleAssignment.objects.exists()

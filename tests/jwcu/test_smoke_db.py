import pytest

from tests.factories import WorkerMemberFactory


@pytest.mark.django_db
def test_member_saved_with_history_row():
    member = WorkerMemberFactory()
    assert member.history.count() == 1
    assert member.history.get().history_channel == "command"

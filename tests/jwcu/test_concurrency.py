"""Fifty API clients change one member at the same moment: each wins or is told 412, the history
holds exactly the winners, and nothing is lost."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from jwcu.services import api_client_create
from tests.factories import WorkerMemberFactory

WRITERS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_conflicting_updates():
    member = WorkerMemberFactory(member_number="C1", weekly_hours=20)
    _client, token = api_client_create(name="Office", union=member.society.union, can_write=True)
    url = f"/api/v1/members/{member.society.code}/C1/"
    ready = threading.Barrier(WRITERS)
    statuses: dict[int, int] = {}

    def writer(number: int):
        try:
            http = APIClient()
            http.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
            etag = http.get(url)["ETag"]
            ready.wait(timeout=60)
            response = http.patch(url, {"given_name_latin": f"writer-{number}"}, format="json", HTTP_IF_MATCH=etag)
            statuses[number] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(statuses) == WRITERS
    assert set(statuses.values()) <= {200, 412}
    winners = [number for number, status in statuses.items() if status == 200]
    # every writer read version 1 before any wrote: exactly one can win
    assert len(winners) == 1
    member.refresh_from_db()
    assert member.given_name_latin == f"writer-{winners[0]}"
    assert member.version == 2
    changes = member.history.filter(history_type="~")
    assert [(h.given_name_latin, h.history_channel) for h in changes] == [(f"writer-{winners[0]}", "api")]
    assert member.weekly_hours == 20  # the fields nobody changed are intact

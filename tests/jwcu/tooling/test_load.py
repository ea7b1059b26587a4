"""make load's script runs end to end at a tiny size, so it cannot rot."""

import pytest

from jwcu.tooling import load
from tests.factories import BusinessCenterFactory, MemberSocietyFactory, WorkerMemberFactory


@pytest.mark.django_db(transaction=True)
def test_the_load_script_serves_every_request_without_error():
    society = MemberSocietyFactory()
    WorkerMemberFactory(society=society, business_center=BusinessCenterFactory(society=society))
    summary = load.run(seconds=3, clients=2, max_requests=14, workers=1)
    assert summary["all"]["requests"] >= 7  # every kind of request at least once
    assert summary["all"]["errors"] == 0
    assert summary["api"]["requests"] > 0
    assert summary["pages"]["requests"] > 0

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from jwcu import audit
from jwcu.audit import Channel, ChannelMiddleware, _channel_for_path, acting
from members.models import Union
from tests.factories import MemberSocietyFactory, UnionFactory


@pytest.fixture
def registrar(django_user_model):
    return django_user_model.objects.create_superuser(username="registrar", password="secret")


@pytest.mark.django_db
def test_a_change_outside_any_request_is_attributed_to_a_command():
    union = UnionFactory()

    history = union.history.get()

    assert (history.history_channel, history.history_user) == (Channel.COMMAND, None)


@pytest.mark.django_db
def test_records_saved_while_acting_carry_the_channel_and_user(registrar):
    with acting(channel=Channel.IMPORT, user=registrar):
        society = MemberSocietyFactory()
    society.name = "Renamed"
    society.save()

    created, changed = society.history.order_by("history_date")
    assert (created.history_channel, created.history_user) == (Channel.IMPORT, registrar)
    assert (changed.history_channel, changed.history_user) == (Channel.COMMAND, None)


def test_acting_restores_the_outer_context_even_after_an_error():
    def fail_while_importing():
        with acting(channel=Channel.IMPORT):
            raise RuntimeError

    with acting(channel=Channel.API):
        with pytest.raises(RuntimeError):
            fail_while_importing()
        assert audit.current().channel == Channel.API

    assert audit.current() == audit.AuditContext(Channel.COMMAND)


@pytest.mark.parametrize(
    ("path", "channel"),
    [
        ("/admin/", Channel.ADMIN),
        ("/admin/members/membersociety/1/change/", Channel.ADMIN),
        ("/ja/admin/", Channel.ADMIN),
        ("/en/admin/members/", Channel.ADMIN),
        ("/api/", Channel.API),
        ("/api/v1/members/", Channel.API),
        ("/en/api/v1/societies/", Channel.API),
        ("/", Channel.BROWSER),
        ("/ja/", Channel.BROWSER),
        ("/members/", Channel.BROWSER),
        ("/administration/", Channel.BROWSER),
        ("/apis/", Channel.BROWSER),
        ("/reports/admin/", Channel.BROWSER),
    ],
)
def test_the_channel_of_a_request_follows_its_path(path, channel):
    assert _channel_for_path(path) == channel


@pytest.mark.django_db
def test_the_middleware_attributes_the_request_to_its_channel_and_signed_in_user(registrar):
    seen = []
    middleware = ChannelMiddleware(lambda request: seen.append(audit.current()))
    request = RequestFactory().post("/api/v1/members/")
    request.user = registrar

    middleware(request)

    assert seen == [audit.AuditContext(Channel.API, registrar)]
    assert audit.current().channel == Channel.COMMAND


def test_the_middleware_attributes_no_user_to_an_anonymous_request():
    seen = []
    middleware = ChannelMiddleware(lambda request: seen.append(audit.current()))
    request = RequestFactory().get("/members/")
    request.user = AnonymousUser()

    middleware(request)

    assert seen == [audit.AuditContext(Channel.BROWSER, None)]


@pytest.mark.django_db
def test_a_change_through_the_admin_is_recorded_with_the_admin_channel_and_user(client, registrar):
    union = UnionFactory(name="Old name")
    client.force_login(registrar)
    form = {
        "code": union.code,
        "name": "Japan Workers' Co-operative Union",
        "name_ja": "",
        "established_on": union.established_on.isoformat() if union.established_on else "",
        "website": "",
        "notes": "",
        "opened_version": union.version,
        "_save": "Save",
    }

    response = client.post(reverse("admin:members_union_change", args=[union.pk]), form)

    assert response.status_code == 302
    assert Union.objects.get(pk=union.pk).name == "Japan Workers' Co-operative Union"
    latest = union.history.latest()
    assert (latest.history_type, latest.name, latest.history_channel, latest.history_user) == (
        "~",
        "Japan Workers' Co-operative Union",
        Channel.ADMIN,
        registrar,
    )

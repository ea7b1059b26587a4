"""The admin refuses to save over a newer version of a record: its change form carries the
version it was opened at, as the staff pages' forms do; the save that is allowed goes through one
transaction and the history, and continues the record's versions."""

import pytest
from django import forms
from django.contrib.auth.models import User
from django.urls import reverse

from jwcu import audit
from jwcu.services import record_update
from members.models import MemberSociety
from tests.factories import MemberSocietyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("registrar", password="pass-word-123"))
    return client


def as_posted(form) -> dict:
    """What the browser posts back for the admin ``form`` as it is shown."""
    data = {"_save": "Save"}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return data


def test_a_save_over_a_newer_version_is_refused_and_saving_again_applies_it(admin_client, english):
    society = MemberSocietyFactory(name="Opened", notes="")
    url = reverse("admin:members_membersociety_change", args=[society.pk])  # under /en/
    opened = admin_client.get(url)
    assert 'name="opened_version" value="1"' in opened.content.decode()
    with audit.acting(channel=audit.Channel.BROWSER):
        record_update(society, name="Renamed by someone else")
    data = {**as_posted(opened.context["adminform"].form), "notes": "Mine"}

    refused = admin_client.post(url, data)

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "version 1 is now 2" in page
    assert "changed: name)" in refused.context["adminform"].form.non_field_errors()[0]
    stored = MemberSociety.objects.get(pk=society.pk)
    assert (stored.name, stored.notes, stored.version) == ("Renamed by someone else", "", 2)
    assert stored.history.count() == 2
    assert 'name="opened_version" value="2"' in page  # saving again applies the entries over the change

    saved = admin_client.post(url, {**data, "opened_version": "2"})

    assert saved.status_code == 302
    stored = MemberSociety.objects.get(pk=society.pk)
    assert (stored.name, stored.notes, stored.version) == ("Opened", "Mine", 3)
    latest = stored.history.latest()
    assert (latest.history_channel, latest.history_user.username, latest.version) == ("admin", "registrar", 3)


def test_a_change_without_the_version_it_was_opened_at_is_refused(admin_client):
    society = MemberSocietyFactory(notes="")
    url = reverse("admin:members_membersociety_change", args=[society.pk])
    data = as_posted(admin_client.get(url).context["adminform"].form)
    del data["opened_version"]

    response = admin_client.post(url, {**data, "notes": "Mine"})

    assert response.status_code == 200
    assert "opened_version" in response.context["adminform"].form.errors
    assert MemberSociety.objects.get(pk=society.pk).notes == ""


def test_bringing_back_an_earlier_version_from_the_history_continues_the_versions(admin_client):
    society = MemberSocietyFactory(name="First")
    record_update(society, name="Second")
    record_update(MemberSociety.objects.get(pk=society.pk), name="Third")
    first = society.history.get(version=1)
    url = reverse("admin:members_membersociety_simple_history", args=[society.pk, first.history_id])
    form = admin_client.get(url).context["adminform"].form
    assert form["opened_version"].value() == 3

    response = admin_client.post(url, as_posted(form))

    assert response.status_code == 302
    stored = MemberSociety.objects.get(pk=society.pk)
    assert (stored.name, stored.version) == ("First", 4)
    assert list(stored.history.order_by("history_date").values_list("version", flat=True)) == [1, 2, 3, 4]

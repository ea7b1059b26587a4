"""The admin edits reference data only and refuses to save over a newer version of a record: its
change form carries the version it was opened at, as the staff pages' forms do; the save that is
allowed goes through one transaction and the history, and continues the record's versions.
Records whose changes have rules (people, societies, centers…) are shown, never changed, there."""

import pytest
from django import forms
from django.contrib.auth.models import User
from django.urls import reverse

from jwcu import audit
from jwcu.services import record_update
from members.models import Partner
from tests.factories import (
    BusinessCenterFactory,
    MemberSocietyFactory,
    PartnerFactory,
    WorkerMemberFactory,
)

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
    society = PartnerFactory(name="Opened", description="")
    url = reverse("admin:members_partner_change", args=[society.pk])  # under /en/
    opened = admin_client.get(url)
    assert 'name="opened_version" value="1"' in opened.content.decode()
    with audit.acting(channel=audit.Channel.BROWSER):
        record_update(society, name="Renamed by someone else")
    data = {**as_posted(opened.context["adminform"].form), "description": "Mine"}

    refused = admin_client.post(url, data)

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "version 1 is now 2" in page
    assert "changed: name)" in refused.context["adminform"].form.non_field_errors()[0]
    stored = Partner.objects.get(pk=society.pk)
    assert (stored.name, stored.description, stored.version) == ("Renamed by someone else", "", 2)
    assert stored.history.count() == 2
    assert 'name="opened_version" value="2"' in page  # saving again applies the entries over the change

    saved = admin_client.post(url, {**data, "opened_version": "2"})

    assert saved.status_code == 302
    stored = Partner.objects.get(pk=society.pk)
    assert (stored.name, stored.description, stored.version) == ("Opened", "Mine", 3)
    latest = stored.history.latest()
    assert (latest.history_channel, latest.history_user.username, latest.version) == ("admin", "registrar", 3)


def test_a_change_without_the_version_it_was_opened_at_is_refused(admin_client):
    society = PartnerFactory(description="")
    url = reverse("admin:members_partner_change", args=[society.pk])
    data = as_posted(admin_client.get(url).context["adminform"].form)
    del data["opened_version"]

    response = admin_client.post(url, {**data, "description": "Mine"})

    assert response.status_code == 200
    assert "opened_version" in response.context["adminform"].form.errors
    assert Partner.objects.get(pk=society.pk).description == ""


def test_bringing_back_an_earlier_version_from_the_history_continues_the_versions(admin_client):
    society = PartnerFactory(name="First")
    record_update(society, name="Second")
    record_update(Partner.objects.get(pk=society.pk), name="Third")
    first = society.history.get(version=1)
    url = reverse("admin:members_partner_simple_history", args=[society.pk, first.history_id])
    form = admin_client.get(url).context["adminform"].form
    assert form["opened_version"].value() == 3

    response = admin_client.post(url, as_posted(form))

    assert response.status_code == 302
    stored = Partner.objects.get(pk=society.pk)
    assert (stored.name, stored.version) == ("First", 4)
    assert list(stored.history.order_by("history_date").values_list("version", flat=True)) == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("factory", "admin_name"),
    [
        (WorkerMemberFactory, "members_workermember"),
        (MemberSocietyFactory, "members_membersociety"),
        (BusinessCenterFactory, "businesses_businesscenter"),
    ],
)
def test_records_with_rules_are_shown_but_never_changed_in_the_admin(admin_client, factory, admin_name):
    record = factory()
    url = reverse(f"admin:{admin_name}_change", args=[record.pk])
    page = admin_client.get(url)
    assert page.status_code == 200  # shown, read-only
    assert 'name="_save"' not in page.content.decode()
    form = {"name": "Around the rules", "family_name": "Around the rules", "version": "1", "_save": "Save"}
    assert admin_client.post(url, form).status_code == 403
    assert admin_client.get(reverse(f"admin:{admin_name}_add")).status_code == 403
    record.refresh_from_db()
    assert record.version == 1
    first = record.history.get()
    revert = reverse(f"admin:{admin_name}_simple_history", args=[record.pk, first.history_id])
    assert admin_client.post(revert, {"_save": "Save"}).status_code == 403

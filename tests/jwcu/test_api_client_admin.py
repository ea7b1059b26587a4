"""Union administrators create and revoke API clients in the browser (the admin)."""

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages

from jwcu.models import ApiClient, Role, RoleAssignment
from jwcu.services import api_token_hash

pytestmark = pytest.mark.django_db


def staff(api_tree, role, **scope):
    user = User.objects.create_user(f"{role}-user", password="pw", is_staff=True)
    RoleAssignment.objects.create(user=user, role=role, union=api_tree["union"], **scope)
    return user


def test_union_administrator_creates_a_client_and_sees_its_token_once(client, api_tree):
    admin_user = staff(api_tree, Role.UNION_ADMIN)
    client.force_login(admin_user)
    form = {"name": "Kansai office", "union": api_tree["union"].pk, "society": api_tree["local"].pk, "sensitive": "on"}
    response = client.post("/admin/jwcu/apiclient/add/", form)
    assert response.status_code == 302
    created = ApiClient.objects.get(name="Kansai office")
    token = next(str(m) for m in get_messages(response.wsgi_request)).rsplit(" ", 1)[1]
    assert created.token_hash == api_token_hash(token)
    assert (created.society, created.sensitive, created.can_write, created.created_by) == (
        api_tree["local"],
        True,
        False,
        admin_user,
    )
    assert token.encode() in client.get(response["Location"]).content
    assert token.encode() not in client.get(f"/admin/jwcu/apiclient/{created.pk}/change/").content


def test_revoked_client_is_locked_out(client, api_tree, api):
    caller = api(api_tree["union"])
    client.force_login(staff(api_tree, Role.UNION_ADMIN))
    response = client.post(
        "/admin/jwcu/apiclient/", {"action": "revoke", "_selected_action": [ApiClient.objects.get().pk]}
    )
    assert response.status_code == 302
    assert ApiClient.objects.get().revoked_at is not None
    assert caller.get("/api/v1/unions/").status_code == 401


def test_only_union_administrators_manage_clients(client, api_tree):
    client.force_login(staff(api_tree, Role.SOCIETY_EDITOR, society=api_tree["cwc"]))
    assert client.get("/admin/jwcu/apiclient/add/").status_code == 403
    response = client.post("/admin/jwcu/apiclient/add/", {"name": "Sneaky", "union": api_tree["union"].pk})
    assert response.status_code == 403
    assert not ApiClient.objects.exists()

"""Sign-in is throttled against guessing (django-axes): the fifth failure for one user name from one
address locks it, and then even the right password is refused for a while; other users are
unaffected."""

import pytest
from django.contrib.auth.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def sign_in(client, username, password):
    return client.post("/en/sign-in/", {"username": username, "password": password})


def test_five_failures_lock_the_user_name_from_this_address(client):
    User.objects.create_user("hanako", password="kyodo-rodo-2015")
    User.objects.create_user("ichiro", password="kyodo-rodo-2016")
    for _attempt in range(4):
        assert sign_in(client, "hanako", "guess").status_code == 200  # the form again, with its error
    assert sign_in(client, "hanako", "guess").status_code == 429
    locked = sign_in(client, "hanako", "kyodo-rodo-2015")
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    assert sign_in(client, "ichiro", "kyodo-rodo-2016").status_code == 302


def test_a_success_clears_earlier_failures(client):
    User.objects.create_user("hanako", password="kyodo-rodo-2015")
    for _attempt in range(4):
        sign_in(client, "hanako", "guess")
    assert sign_in(client, "hanako", "kyodo-rodo-2015").status_code == 302
    client.post("/en/sign-out/")
    for _attempt in range(4):
        sign_in(client, "hanako", "guess")
    assert sign_in(client, "hanako", "kyodo-rodo-2015").status_code == 302

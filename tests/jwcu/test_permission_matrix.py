"""Each role × each page and action: what answers 200, 403 (read-only or not permitted) or 404
(outside the scope, whatever URL is typed), and where the sensitive fields appear."""

import re

import pytest

from jwcu.models import Role

pytestmark = pytest.mark.django_db

ROLES = {
    "admin": {"role": Role.UNION_ADMIN, "sensitive": True},
    "admin_plain": {"role": Role.UNION_ADMIN},
    "society_editor": {"role": Role.SOCIETY_EDITOR, "society": "society_a"},
    "head_office_editor": {"role": Role.HEAD_OFFICE_EDITOR, "head_office": "h1"},
    "viewer": {"role": Role.VIEWER},
    "no_role": {},
}

# page -> expected status per role (admin, admin_plain, society_editor, head_office_editor, viewer, no_role)
MATRIX = {
    "/members/": (200, 200, 200, 200, 200, 200),
    "/members/society-a/A1/": (200, 200, 200, 200, 200, 404),
    "/members/society-a/A1/edit/": (200, 200, 200, 200, 403, 404),
    "/members/society-a/A1/history/": (200, 200, 200, 200, 200, 404),
    "/members/society-a/A1/move/": (200, 200, 200, 200, 403, 404),
    "/members/society-a/A1/leave/": (200, 200, 200, 200, 403, 404),
    "/members/society-a/A1/consent/": (200, 403, 403, 403, 403, 404),
    "/members/society-a/A1/inclusion/": (200, 403, 403, 403, 403, 404),
    "/members/society-a/A2/": (200, 200, 200, 404, 200, 404),
    "/members/society-a/A2/edit/": (200, 200, 200, 404, 403, 404),
    "/members/society-b/B1/": (200, 200, 404, 404, 200, 404),
    "/members/society-b/B1/edit/": (200, 200, 404, 404, 403, 404),
    "/members/society-b/B1/history/": (200, 200, 404, 404, 200, 404),
    "/members/new/": (200, 200, 200, 200, 403, 403),
    "/centers/c1/": (200, 200, 200, 200, 200, 404),
    "/centers/c1/edit/": (200, 200, 200, 200, 403, 404),
    "/centers/c1/close/": (200, 200, 200, 200, 403, 404),
    "/centers/c2/edit/": (200, 200, 200, 404, 403, 404),
    "/centers/cb/": (200, 200, 404, 404, 200, 404),
    "/centers/cb/history/": (200, 200, 404, 404, 200, 404),
    "/centers/new/": (200, 200, 200, 200, 403, 403),
    "/head-offices/h1/": (200, 200, 200, 200, 200, 404),
    "/head-offices/h2/": (200, 200, 200, 404, 200, 404),
    "/head-offices/h2/close/": (200, 200, 200, 404, 403, 404),
    "/societies/society-a/": (200, 200, 200, 200, 200, 404),
    "/societies/society-a/edit/": (200, 200, 200, 200, 403, 404),
    "/societies/society-b/": (200, 200, 404, 404, 200, 404),
    "/societies/society-b/leave/": (200, 200, 404, 404, 403, 404),
    "/societies/society-a/leave/": (200, 200, 403, 403, 403, 404),
    "/societies/new/": (200, 200, 403, 403, 403, 403),
    "/partners/new/": (200, 200, 403, 403, 403, 403),
    "/programmes/": (200, 200, 200, 200, 200, 200),
    "/partners/": (200, 200, 200, 200, 200, 200),
    "/roles/": (200, 200, 403, 403, 403, 403),
    "/": (200, 200, 200, 200, 200, 200),
    "/password/": (200, 200, 200, 200, 200, 200),
}


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=list(ROLES))
@pytest.mark.parametrize("url", list(MATRIX))
def test_each_role_gets_each_page_as_permitted(staff_client, url, role_index):
    client = staff_client(**next(v for i, v in enumerate(ROLES.values()) if i == role_index))
    assert client.get(url).status_code == MATRIX[url][role_index]


@pytest.mark.parametrize("url", [*MATRIX, "/members/society-x/X1/"])
def test_a_visitor_who_has_not_signed_in_is_sent_to_sign_in(client, union_tree, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")


def test_a_member_of_another_union_is_not_found_even_by_the_union_administrator(staff_client, union_tree):
    other = union_tree["other"]
    client = staff_client(**ROLES["admin"])
    assert client.get(f"/members/{other.society.code}/{other.member_number}/").status_code == 404


@pytest.mark.parametrize(
    ("role", "sees"),
    [("admin", True), ("admin_plain", False), ("society_editor", False), ("viewer", False)],
)
def test_inclusion_data_is_shown_only_with_the_sensitive_permission(staff_client, union_tree, role, sees):
    client = staff_client(**ROLES[role])
    pages = [
        client.get("/members/society-a/A1/"),
        client.get("/members/society-a/A1/history/"),
        client.get("/members/"),
    ]
    assert all(("Mental disability (test)" in page.content.decode()) is sees for page in pages)
    assert ('name="inclusion_category"' in pages[2].content.decode()) is sees


def test_filtering_by_inclusion_category_is_ignored_without_the_sensitive_permission(staff_client, union_tree):
    """The filter does not exist for them: the list is not narrowed, so it reveals nothing."""
    plain = staff_client(**ROLES["admin_plain"]).get("/members/?inclusion_category=mental-disability")
    assert plain.context["page"].paginator.count == 3


def test_the_sensitive_administrator_can_filter_by_inclusion_category(staff_client, union_tree):
    response = staff_client(**ROLES["admin"]).get("/members/?inclusion_category=mental-disability")
    assert [row["url"] for row in response.context["rows"]] == ["/members/society-a/A1/"]


@pytest.mark.parametrize(
    ("role", "post_status"),
    [("viewer", 403), ("head_office_editor", 404), ("society_editor", 302)],
)
def test_writes_are_refused_outside_the_scope_whatever_is_posted(staff_client, union_tree, role, post_status):
    client = staff_client(**ROLES[role])
    response = client.post(
        "/members/society-a/A2/leave/", {"left_on": "2024-01-01", "reason": "resignation", "version": 1}
    )
    assert response.status_code == post_status
    union_tree["m2"].refresh_from_db()
    assert (union_tree["m2"].left_on is not None) is (post_status == 302)


def test_roles_page_lists_and_assigns_roles_for_the_administrator(staff_client, union_tree):
    from django.contrib.auth.models import User

    client = staff_client(**ROLES["admin"])
    newcomer = User.objects.create_user("newcomer")
    response = client.post(
        "/roles/",
        {"form": "role", "user": newcomer.pk, "role": Role.SOCIETY_EDITOR, "union": union_tree["union"].pk,
         "society": union_tree["society_a"].pk},
    )  # fmt: skip
    assert response.status_code == 302
    newcomer.registry_role.refresh_from_db()
    assert newcomer.registry_role.society == union_tree["society_a"]
    assert "newcomer" in client.get("/roles/").content.decode()


def test_a_role_that_does_not_match_its_scope_is_refused_beside_the_field(staff_client, union_tree):
    from django.contrib.auth.models import User

    client = staff_client(**ROLES["admin"])
    newcomer = User.objects.create_user("newcomer")
    response = client.post(
        "/roles/", {"form": "role", "user": newcomer.pk, "role": Role.SOCIETY_EDITOR, "union": union_tree["union"].pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not hasattr(User.objects.get(pk=newcomer.pk), "registry_role")


def test_pages_answer_in_japanese_with_japanese_dates_and_yen(staff_client, union_tree):
    client = staff_client(role=Role.VIEWER)
    page = client.get("/members/society-a/A1/").content.decode()
    assert "組合員番号" in page
    assert "2010年4月1日" in page  # joined on
    assert "0円" in page  # capital contribution
    english = client.get("/en/members/society-a/A1/").content.decode()
    assert "Member number" in english
    assert "¥0" in english


@pytest.mark.parametrize(
    ("page", "language", "lands_on"),
    [
        ("/members/society-a/A1/history/", "en", "/en/members/society-a/A1/history/"),
        ("/en/members/society-a/A1/history/", "ja", "/members/society-a/A1/history/"),
        ("/en/", "ja", "/"),
        ("/centers/c1/edit/", "en", "/en/centers/c1/edit/"),
    ],
)
def test_switching_language_stays_on_the_same_page(staff_client, union_tree, page, language, lands_on):
    client = staff_client(role=Role.VIEWER if "edit" not in page else Role.UNION_ADMIN)
    form = re.search(r'name="next" type="hidden" value="([^"]+)"', client.get(page).content.decode())
    response = client.post("/i18n/setlang/", {"language": language, "next": form.group(1)})
    assert response.url == lands_on


def test_the_administrator_creates_a_staff_account_that_sees_nothing_until_given_a_role(staff_client, union_tree):
    from django.contrib.auth.models import User

    client = staff_client(**ROLES["admin"])
    weak = client.post(
        "/roles/",
        {"form": "account", "account-username": "taro", "account-password1": "1234", "account-password2": "1234"},
    )
    assert weak.context["account_form"].errors
    assert not User.objects.filter(username="taro").exists()
    password = "kyodo-rodo-2015"
    created = client.post(
        "/roles/",
        {"form": "account", "account-username": "taro", "account-password1": password, "account-password2": password},
    )
    assert created.status_code == 302
    taro = User.objects.get(username="taro")
    assert taro.check_password(password)
    assert not hasattr(taro, "registry_role")


def test_consent_withdrawal_ends_the_inclusion_records_held_under_it(staff_client, union_tree):
    client = staff_client(**ROLES["admin"])
    inclusion = union_tree["m1"].inclusions.get()
    response = client.post(
        "/members/society-a/A1/consent/withdraw/",
        {"consent": inclusion.consent.reference, "withdrawn_on": "2024-06-30"},
    )
    assert response.status_code == 302, response.context["form"].errors
    inclusion.refresh_from_db()
    assert inclusion.ended_on.isoformat() == "2024-06-30"
    assert staff_client(**ROLES["society_editor"]).get("/members/society-a/A1/consent/withdraw/").status_code == 403


def test_sign_out_and_change_password(staff_client, union_tree, client):
    staff_client(role=Role.VIEWER)
    changed = client.post(
        "/password/",
        {"old_password": "pass-word-123", "new_password1": "kyodo-rodo-2015", "new_password2": "kyodo-rodo-2015"},
    )
    assert changed.url == "/password/done/"
    assert client.post("/sign-out/").url == "/sign-in/"
    assert client.get("/members/").status_code == 302
    signed_in = client.post(
        "/sign-in/", {"username": changed.wsgi_request.user.username, "password": "kyodo-rodo-2015"}
    )
    assert signed_in.url == "/"

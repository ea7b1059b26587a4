import datetime

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from jwcu.models import Role, RoleAssignment
from tests.factories import BusinessCenterFactory, MemberSocietyFactory, UnionFactory, WorkerMemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor():
    union = UnionFactory(code="jwcu")
    society = MemberSocietyFactory(union=union, code="cwc", name="Center Jigyodan")
    center = BusinessCenterFactory(society=society, code="ajisai", name="Ajisai")
    WorkerMemberFactory(
        society=society,
        business_center=center,
        member_number="000123",
        family_name="小林",
        given_name="文恵",
        family_name_kana="コバヤシ",
        given_name_kana="フミエ",
        family_name_latin="Kobayashi",
        given_name_latin="Fumie",
        joined_on=datetime.date(2003, 4, 1),
    )
    for number in range(3):
        WorkerMemberFactory(society=society, business_center=center, member_number=f"00020{number}")
    user = User.objects.create_user("editor", password="registry-pass-2015")
    RoleAssignment.objects.create(user=user, role=Role.SOCIETY_EDITOR, union=union, society=society)
    return user


def test_sign_in_find_by_kana_edit_see_history_and_switch_language(page, live_server, editor):
    page.goto(f"{live_server.url}/members/")
    assert "/sign-in/" in page.url
    page.fill("#id_username", "editor")
    page.fill("#id_password", "registry-pass-2015")
    page.get_by_role("button", name="ログイン").click()

    page.select_option("#language", "en")
    page.get_by_role("button", name="変更").click()
    page.wait_for_url("**/en/members/")
    assert page.locator("h1").inner_text() == "Worker members"

    page.get_by_label("Search").fill("コバヤシ")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/en/members/?q=*")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="000123").click()
    expect(page.locator("h1")).to_contain_text("小林 文恵 (000123)")

    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Given name:", exact=True).fill("史恵")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("was saved")
    expect(page.locator("h1")).to_contain_text("小林 史恵 (000123)")

    page.get_by_role("link", name="History", exact=True).click()
    page.wait_for_url("**/history/")
    latest = page.locator(".timeline > li").first
    assert "Changed" in latest.inner_text()
    assert "Browser" in latest.inner_text()
    assert "editor" in latest.inner_text()
    change = latest.locator(".diff tbody tr").first
    assert [change.locator("td").nth(i).inner_text() for i in range(3)] == ["Given name", "文恵", "史恵"]

    page.select_option("#language", "ja")
    page.get_by_role("button", name="Change").click()
    page.wait_for_url(f"{live_server.url}/members/cwc/000123/history/")
    assert "/en/" not in page.url
    assert page.locator("h1").inner_text() == "小林 史恵 (000123) の履歴"
    assert "ブラウザー" in page.locator(".timeline > li").first.inner_text()


def test_errors_stand_beside_the_field_and_the_keyboard_reaches_the_form(page, live_server, editor):
    page.goto(f"{live_server.url}/en/sign-in/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "registry-pass-2015")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/en/")
    page.goto(f"{live_server.url}/en/members/cwc/000123/edit/")
    page.get_by_label("Weekly hours").fill("200")
    page.get_by_label("Weekly hours").press("Enter")
    error = page.locator("#id_weekly_hours_error")
    expect(error).to_be_visible()
    assert "168" in error.inner_text()
    field = page.locator(".field", has=page.locator("#id_weekly_hours"))
    assert "has-error" in field.get_attribute("class")


def test_a_tablet_sees_the_list_and_the_keyboard_starts_at_the_skip_link(page, live_server, editor):
    page.set_viewport_size({"width": 800, "height": 1100})
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "registry-pass-2015")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/members/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    table = page.locator(".results table").bounding_box()
    assert table["x"] >= 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 800  # the table scrolls, not the page
    assert page.locator("tbody tr").count() == 4

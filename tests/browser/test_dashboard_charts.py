"""A dashboard draws its charts in Chromium (vega-embed from the registry's own static files)."""

import shutil

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import AnnualFiguresFactory, BusinessCenterFactory, MemberSocietyFactory, WorkerMemberFactory

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture
def session_cookie():
    for index in range(3):
        society = MemberSocietyFactory(code=f"b-coop-{index}", name=f"Browser Coop {index}")
        center = BusinessCenterFactory(society=society, prefecture=f"1{index}")
        AnnualFiguresFactory(society=None, business_center=center, turnover_yen=1_000_000 * (index + 1))
        for _ in range(index + 2):
            WorkerMemberFactory(society=society, business_center=center)
    user = User.objects.create_superuser("browser", password="x")
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def test_turnover_dashboard_draws_its_charts(live_server, session_cookie):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": session_cookie, "url": live_server.url}])
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("requestfailed", lambda request: errors.append(request.url))
        page.goto(f"{live_server.url}/dashboards/turnover/?fiscal_year=2015")
        charts = page.locator("[data-chart]")
        assert charts.count() >= 5
        page.wait_for_selector("[data-chart][data-drawn='true']")
        page.wait_for_function("document.querySelectorAll('[data-chart]:not([data-drawn])').length === 0")
        # each chart is an SVG with marks: bars for the three societies
        assert page.locator("#turnover-by-society svg").count() == 1
        assert page.locator("#turnover-by-society svg .mark-rect path").count() >= 3
        assert errors == []
        browser.close()

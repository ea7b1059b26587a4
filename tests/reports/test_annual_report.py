"""The FY2015 annual report of the demo union: the seed's figures in every format, disclosure
control in the public edition, the frozen export record, the command and the download.

The demo union is loaded once for this module, inside a transaction rolled back at the end.
"""

import csv
import hashlib
import io
import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook
from pypdf import PdfReader

from jwcu.models import RoleAssignment
from members.models import Union
from reports import annual_report
from reports.models import ReportExport, ReportJob
from reports.services import annual_report_export
from tests.conftest import demo_union_loaded

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_union_loaded(django_db_blocker) as output:
        yield output


@pytest.fixture(scope="module")
def reports(demo, django_db_blocker):
    """The FY2015 report, internal and public, in CSV, XLSX and PDF."""
    with django_db_blocker.unblock(), translation.override("en"):
        union = Union.objects.get(code="jwcu")
        built = {}
        for public in (False, True):
            report = annual_report.build(union=union, fiscal_year=2015, public=public)
            built[public, "csv"] = annual_report.to_csv(report)
            built[public, "xlsx"] = annual_report.to_xlsx(report)
        built[True, "pdf"] = annual_report.to_pdf(annual_report.build(union=union, fiscal_year=2015, public=True))
        return built


def rows(content: bytes) -> list[dict]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM, so that Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def value(records, figure, dimension, measure):
    matches = [
        r["value"] for r in records if (r["figure"], r["dimension"], r["measure"]) == (figure, dimension, measure)
    ]
    assert len(matches) == 1, (figure, dimension, measure, matches)
    return matches[0]


def test_csv_is_one_long_table_with_the_seeds_figures(reports):
    records = rows(reports[False, "csv"])
    assert list(records[0]) == ["section", "figure", "dimension", "measure", "label", "value"]
    assert value(records, "union-headline", "Individual members", "opening") == "58693"
    assert value(records, "union-headline", "Worker members", "opening") == "12894"
    assert value(records, "union-headline", "Business centers", "opening") == "324"
    assert value(records, "union-headline", "Head offices", "opening") == "15"
    assert value(records, "union-headline", "Turnover FY2015 (yen)", "closing") == "33500000000"
    cwc = "Center Jigyodan (Central Worker Co-operative)"
    assert value(records, "turnover-by-society", cwc, "turnover_yen") == "19000000000"
    assert (
        value(records, "societies", "Japan Older Persons' Consumer Co-operative Union", "individual_members") == "45799"
    )
    opening = int(value(records, "reconciliation-by-society", "Total", "opening"))
    closing = int(value(records, "reconciliation-by-society", "Total", "closing"))
    joined = int(value(records, "reconciliation-by-society", "Total", "joins"))
    left = sum(
        int(r["value"])
        for r in records
        if r["figure"] == "reconciliation-by-society" and r["dimension"] == "Total" and r["measure"].startswith("left_")
    )
    assert opening == 12_894
    assert opening + joined + left == closing  # leaves are negative numbers


def test_public_edition_hides_small_counts_the_internal_one_shows(reports):
    internal = [r for r in rows(reports[False, "csv"]) if r["section"] == "inclusion"]
    public = [r for r in rows(reports[True, "csv"]) if r["section"] == "inclusion"]
    small = [
        r for r in internal if r["value"].isdigit() and 1 <= int(r["value"]) <= 4 and not r["measure"].endswith("share")
    ]
    assert small, "the demo has small inclusion counts"
    assert all(r["value"] != "<5" for r in internal)
    published = {(r["figure"], r["dimension"], r["measure"]): r["value"] for r in public}
    for r in small:
        assert published[r["figure"], r["dimension"], r["measure"]] == "<5", r
    assert not any(
        r["value"].isdigit() and 1 <= int(r["value"]) <= 4 and not r["measure"].endswith("share") for r in public
    )


def test_xlsx_has_a_sheet_per_section_with_numbers_frozen_headers_and_yen(reports):
    workbook = load_workbook(io.BytesIO(reports[False, "xlsx"]))
    assert workbook.sheetnames[:3] == ["The union at the year's end", "Membership", "Turnover"]
    sheet = workbook["The union at the year's end"]
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert isinstance(cells[58_693].value, int)
    assert cells[58_693].number_format == "#,##0"
    assert cells[33_500_000_000].number_format == '"¥"#,##0'
    assert sheet.freeze_panes == "B3"
    turnover = workbook["Turnover"]
    assert 19_000_000_000 in [cell.value for row in turnover.iter_rows() for cell in row]
    assert "Cases" in workbook.sheetnames
    cases = [row[0].value for row in workbook["Cases"].iter_rows(min_row=2)]
    assert any("Ajisai" in name for name in cases)


def test_pdf_is_a4_with_contents_page_numbers_japanese_and_the_seeds_figures(reports):
    pdf = PdfReader(io.BytesIO(reports[True, "pdf"]))
    first = pdf.pages[0]
    assert (round(float(first.mediabox.width) / 72 * 25.4), round(float(first.mediabox.height) / 72 * 25.4)) == (
        210,
        297,
    )
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Contents" in text
    assert "日本労働者協同組合連合会" in text
    for figure in ("58,693", "12,894", "45,799", "33,500,000,000", "¥19,000,000,000"):
        assert figure in text, figure
    assert f"2 / {len(pdf.pages)}" in pdf.pages[1].extract_text()
    assert "Ajisai" in text  # the featured cases with their stories
    assert "<5" in text


def test_an_export_is_recorded_with_the_digest_of_its_file_and_figures():
    union = Union.objects.get(code="jwcu")
    steps = []
    content, export = annual_report_export(
        union=union, fiscal_year=2015, format="xlsx", public=True, progress=lambda *step: steps.append(step)
    )
    export.refresh_from_db()
    assert export.sha256 == hashlib.sha256(content).hexdigest()
    assert (export.fiscal_year, str(export.as_of), export.public, export.format) == (2015, "2016-03-31", True, "xlsx")
    assert export.options == {
        "union": "jwcu",
        "fiscal_year": 2015,
        "as_of": "2016-03-31",
        "public": True,
        "format": "xlsx",
    }
    assert steps[-1][1:] == (8, 8)
    _again, csv_export = annual_report_export(union=union, fiscal_year=2015, format="csv", public=True)
    assert csv_export.figures_sha256 == export.figures_sha256  # regenerated with the same figures


def test_command_writes_the_file_and_reports_its_digest(tmp_path):
    target = tmp_path / "fy2015.csv"
    output, errors = io.StringIO(), io.StringIO()
    call_command(
        "export_annual_report",
        "--fiscal-year",
        "2015",
        "--format",
        "csv",
        "--output",
        str(target),
        "--public",
        stdout=output,
        stderr=errors,
    )
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    assert digest in output.getvalue()
    assert ReportExport.objects.filter(sha256=digest, public=True, file_name="fy2015.csv").exists()
    assert "8/8" in errors.getvalue()
    with pytest.raises(CommandError, match="fiscal year"):
        call_command("export_annual_report", "--fiscal-year", "last", "--format", "csv", "--output", str(target))


def ask_for(client, role, **form):
    """Ask for the report as ``role``: the job's page (tasks run at once in the tests)."""
    user = User.objects.create_user(f"report-{role}", password="x")
    RoleAssignment.objects.create(user=user, role=role, union=Union.objects.get(code="jwcu"))
    client.force_login(user)
    return client.post("/dashboards/annual-report/request/", {"fiscal_year": 2015, "format": "csv", **form})


def job_url(job) -> str:
    """The job's page (the language prefix of a redirect follows the tests' changing default
    language; the address without one is the page in the default language)."""
    return f"/dashboards/annual-report/{job.pk}/"


def download(client, role, **form):
    response = ask_for(client, role, **form)
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response.url.endswith(job_url(job))
    assert job.status == ReportJob.Status.DONE
    return client.get(job_url(job) + "download/")


def test_an_administrator_downloads_the_internal_edition(client):
    response = download(client, "union_admin")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="jwcu-annual-report-fy2015-internal.csv"'
    assert ReportExport.objects.get(sha256=response["X-Report-SHA256"]).created_by.username == "report-union_admin"


def test_a_viewer_always_gets_the_public_edition(client):
    response = download(client, "viewer")
    assert response["Content-Disposition"].endswith('-public.csv"')
    assert "<5" in response.content.decode()
    page = client.get("/dashboards/annual-report/").content.decode()
    assert 'name="public" value="on"' in page
    assert 'type="hidden"' in page


def test_a_report_is_prepared_by_a_worker_and_followed_on_its_page(client, run_worker):
    response = ask_for(client, "union_admin", format="xlsx")
    job = ReportJob.objects.get()
    page_url = job_url(job)
    assert response.url.endswith(page_url)
    assert job.status == ReportJob.Status.QUEUED  # nothing is built inside the request
    page = client.get(page_url).content.decode()
    assert re.search(f'data-job-status="(/en)?{page_url}status/"', page)
    assert "/static/js/job_progress.js" in page
    assert client.get(page_url + "download/").status_code == 404
    status = client.get(page_url + "status/").json()
    assert (status["running"], status["status"]) == (True, "queued")

    run_worker()
    with CaptureQueriesContext(connection) as queries:
        status = client.get(page_url + "status/").json()
    (read,) = [q["sql"] for q in queries if 'FROM "reports_reportjob"' in q["sql"]]
    assert '"reports_reportjob"."content"' not in read  # each poll reads the progress, not the file
    assert (status["running"], status["status"], status["done"]) == (False, "done", status["total"])
    assert status["total"] > 1
    page = client.get(page_url).content.decode()
    assert "job_progress.js" not in page
    assert "jwcu-annual-report-fy2015-internal.xlsx" in page
    file = client.get(page_url + "download/")
    assert file.content[:2] == b"PK"
    assert hashlib.sha256(file.content).hexdigest() == ReportJob.objects.get().export.sha256


def test_a_report_job_is_seen_by_who_asked_and_union_administrators_only(client, queued_tasks):
    ask_for(client, "viewer")
    page_url = job_url(ReportJob.objects.get())
    for role, status in (("viewer", 404), ("union_admin", 200)):
        user = User.objects.create_user(f"other-{role}", password="x")
        RoleAssignment.objects.create(user=user, role=role, union=Union.objects.get(code="jwcu"))
        client.force_login(user)
        assert client.get(page_url).status_code == status
        assert client.get(page_url + "status/").status_code == status
        assert client.get(page_url + "download/").status_code == 404  # others' or not: not ready yet


def test_a_report_that_fails_for_good_says_so_on_its_page(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(annual_report, "build", broken)
    ask_for(client, "union_admin")
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.FAILED
    assert "RuntimeError: no fonts" in job.error
    assert "The report was not prepared" in client.get(job_url(job)).content.decode()


def test_the_same_report_asked_for_twice_while_prepared_is_one_job(client, queued_tasks):
    first = ask_for(client, "union_admin")
    again = client.post("/dashboards/annual-report/request/", {"fiscal_year": 2015, "format": "csv"})
    assert again.url == first.url
    assert ReportJob.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def test_a_user_has_at_most_three_reports_in_preparation(client, queued_tasks):
    ask_for(client, "union_admin", format="csv")
    for format in ("xlsx", "pdf"):
        client.post("/dashboards/annual-report/request/", {"fiscal_year": 2015, "format": format})
    fourth = client.post("/dashboards/annual-report/request/", {"fiscal_year": 2014, "format": "csv"})
    assert fourth.url.endswith("/dashboards/annual-report/")
    assert ReportJob.objects.count() == 3
    page = client.get("/dashboards/annual-report/").content.decode()
    assert "You have 3 reports in preparation" in page
    ReportJob.objects.filter(format="pdf").update(status=ReportJob.Status.DONE)
    client.post("/dashboards/annual-report/request/", {"fiscal_year": 2014, "format": "csv"})
    assert ReportJob.objects.count() == 4


@pytest.mark.parametrize(
    ("form", "reason"),
    [
        ({"fiscal_year": "20x5"}, "Fiscal year: Enter a whole number."),
        ({"fiscal_year": "99999999999999999999"}, "Fiscal year: Ensure this value is less than or equal to 2200."),
        ({"format": "\x00"}, "Format: Select a valid choice."),
        ({"format": "docx"}, "Format: Select a valid choice. docx is not one of the available choices."),
    ],
)
def test_a_bad_request_is_refused_with_its_reason_and_queues_nothing(client, form, reason):
    response = ask_for(client, "union_admin", **form)
    assert response.url.endswith("/dashboards/annual-report/")
    assert not ReportJob.objects.exists()
    assert reason in client.get("/dashboards/annual-report/").content.decode()


def test_a_report_job_that_does_not_exist_is_not_found(client, queued_tasks):
    ask_for(client, "union_admin")
    for suffix in ("", "status/", "download/"):
        assert client.get(f"/dashboards/annual-report/{uuid.uuid4()}/{suffix}").status_code == 404
    assert client.get("/dashboards/annual-report/request/").status_code == 405


def test_verify_tells_an_exported_file_from_a_changed_one(tmp_path):
    target = tmp_path / "fy2015.csv"
    call_command(
        "export_annual_report",
        "--fiscal-year",
        "2015",
        "--format",
        "csv",
        "--output",
        str(target),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    output = io.StringIO()
    call_command("verify_annual_report", str(target), stdout=output)
    assert "unchanged export" in output.getvalue()
    assert "FY2015" in output.getvalue()
    target.write_bytes(target.read_bytes().replace(b"33500000000", b"33600000000"))
    with pytest.raises(CommandError, match="matches no recorded export"):
        call_command("verify_annual_report", str(target))

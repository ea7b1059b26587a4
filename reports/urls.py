from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="overview"),
    path("annual-report/", views.annual_report_page, name="annual_report"),
    path("annual-report/request/", views.annual_report_request, name="annual_report_request"),
    path("annual-report/<uuid:job_id>/", views.report_job_page, name="report_job"),
    path("annual-report/<uuid:job_id>/status/", views.report_job_status, name="report_job_status"),
    path("annual-report/<uuid:job_id>/download/", views.report_job_download, name="report_job_download"),
    path("<slug:name>/", views.dashboard, name="dashboard"),
]

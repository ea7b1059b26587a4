from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="overview"),
    path("annual-report/", views.annual_report_page, name="annual_report"),
    path("annual-report/download/", views.annual_report_download, name="annual_report_download"),
    path("<slug:name>/", views.dashboard, name="dashboard"),
]

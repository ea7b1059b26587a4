from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="overview"),
    path("<slug:name>/", views.dashboard, name="dashboard"),
]

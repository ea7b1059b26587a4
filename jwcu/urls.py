from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = admin.site.site_title = "JWCU Registry"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
urlpatterns += i18n_patterns(path("admin/", admin.site.urls), prefix_default_language=False)
urlpatterns += i18n_patterns(path("dashboards/", include("reports.urls")), prefix_default_language=False)

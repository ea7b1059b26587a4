from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from businesses.views import CENTER_IMPORT, CENTERS, HEAD_OFFICES, PROGRAMMES
from jwcu import api
from jwcu.views import bound, home_view, import_urls, record_urls, roles_view
from members.views import (
    MEMBER_IMPORT,
    MEMBERS,
    PARTNERS,
    SOCIETIES,
    consent_create_view,
    consent_withdraw_view,
    inclusion_create_view,
)

admin.site.site_header = admin.site.site_title = "JWCU Registry"

RECORD_TYPES = [MEMBERS, CENTERS, HEAD_OFFICES, SOCIETIES, PROGRAMMES, PARTNERS]

staff_pages = [
    path("", bound(home_view, record_types=RECORD_TYPES), name="home"),
    path("sign-in/", auth_views.LoginView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("roles/", roles_view, name="roles"),
    *import_urls(MEMBER_IMPORT),
    *import_urls(CENTER_IMPORT),
    path("members/<str:society>/<str:number>/consent/", consent_create_view, name="members-consent"),
    path("members/<str:society>/<str:number>/inclusion/", inclusion_create_view, name="members-inclusion"),
    path(
        "members/<str:society>/<str:number>/consent/withdraw/", consent_withdraw_view, name="members-consent-withdraw"
    ),
]
for record_type in RECORD_TYPES:
    staff_pages += record_urls(record_type)

urlpatterns = [path("i18n/", include("django.conf.urls.i18n"))]
urlpatterns += api.urlpatterns()
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("dashboards/", include("reports.urls")),
    *staff_pages,
    prefix_default_language=False,
)

"""The registry's URLs: the composition root, where the apps' pages and API are put together."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from businesses import api as businesses_api
from businesses.views import CENTER_IMPORT, CENTERS, HEAD_OFFICES, PROGRAMMES
from jwcu.api.errors import not_found
from jwcu.views import (
    bound,
    home_view,
    import_job_redirect_view,
    import_urls,
    jobs_view,
    record_urls,
    roles_view,
)
from members import api as members_api
from members.views import (
    MEMBER_IMPORT,
    MEMBERS,
    PARTNERS,
    SOCIETIES,
    consent_create_view,
    consent_withdraw_view,
    inclusion_create_view,
)
from reports import api as reports_api

admin.site.site_header = admin.site.site_title = "JWCU Registry"

RECORD_TYPES = [MEMBERS, CENTERS, HEAD_OFFICES, SOCIETIES, PROGRAMMES, PARTNERS]

staff_pages = [
    path("", bound(home_view, record_types=RECORD_TYPES), name="home"),
    path("sign-in/", auth_views.LoginView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("roles/", roles_view, name="roles"),
    path("jobs/", jobs_view, name="jobs"),
    path("imports/<uuid:job_id>/", import_job_redirect_view, name="import-job"),
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

router = SimpleRouter()
router.register("unions", members_api.UnionViewSet, basename="union")
router.register("societies", members_api.SocietyViewSet, basename="society")
router.register("head-offices", businesses_api.HeadOfficeViewSet, basename="head-office")
router.register("business-centers", businesses_api.BusinessCenterViewSet, basename="business-center")
router.register("business-lines", businesses_api.BusinessLineViewSet, basename="business-line")
router.register("programmes", businesses_api.ProgrammeViewSet, basename="programme")
router.register("partners", members_api.PartnerViewSet, basename="partner")
api_v1 = [
    *members_api.member_urls(),
    *businesses_api.annual_figures_urls(),
    *reports_api.urls(),
    *router.urls,
]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Any other address under /api/ answers in the API's own shape, not with an HTML page.
    re_path(r"^api/", not_found),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("dashboards/", include("reports.urls")),
    *staff_pages,
    prefix_default_language=False,
)

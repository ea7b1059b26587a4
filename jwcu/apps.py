from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JwcuConfig(AppConfig):
    name = "jwcu"
    verbose_name = _("Registry")

    def ready(self):
        from jwcu import audit

        audit.connect_signals()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JwcuConfig(AppConfig):
    name = "jwcu"
    verbose_name = _("Registry")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from jwcu import audit

        audit.connect_signals()
        # Every app's periodic tasks (tasks.py), for the scheduler and the jobs page.
        autodiscover_modules("tasks")

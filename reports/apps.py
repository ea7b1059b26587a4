from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from django.db.backends.signals import connection_created

        from reports.rollup import watch_connection

        connection_created.connect(watch_connection, dispatch_uid="reports.rollup.watch_connection")

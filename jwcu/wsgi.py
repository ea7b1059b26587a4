import os

from django.core.wsgi import get_wsgi_application

from jwcu.embedded_db import use_embedded_database_if_unconfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jwcu.settings")
use_embedded_database_if_unconfigured()
application = get_wsgi_application()

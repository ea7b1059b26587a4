"""The API's one parser: JSON bodies that hold only valid Unicode (their size is bounded by
DATA_UPLOAD_MAX_MEMORY_SIZE, which Django applies as DRF reads them: a 413, see jwcu.api.errors).
It imports none of the API's views, which DRF's settings would otherwise import while the views
import DRF."""

import re

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _lone_surrogate_in(data, field=None):
    """The top-level field of ``data`` holding a lone surrogate (None: the body as a whole), or
    False when it holds none."""
    if isinstance(data, str):
        return field if LONE_SURROGATE.search(data) else False
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        if isinstance(key, str) and LONE_SURROGATE.search(key):
            return field
        inner = field if field is not None or not isinstance(key, str) else key
        if (found := _lone_surrogate_in(value, inner)) is not False:
            return found
    return False


class JSONBodyParser(JSONParser):
    """JSON, refused (400, naming the field) when it holds an escaped lone surrogate ("\\ud800"):
    valid JSON, but no text that can be stored, shown or even written back in an error."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if (field := _lone_surrogate_in(data)) is not False:
            raise exceptions.ValidationError(
                {field or "non_field_errors": [_("The body holds text that is not valid Unicode (a lone surrogate).")]}
            )
        return data

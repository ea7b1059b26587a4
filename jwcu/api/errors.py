"""One JSON shape for every error of the API ({"errors": [{"field", "reason"}]}), from DRF's
exceptions, Django's validation errors, the registry's own (stale versions, scope), and for
addresses that match nothing."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler

from jwcu.scope import OutOfScope
from jwcu.services import StaleRecordError


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since the version you hold (If-Match)."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag of the record you edited."
    default_code = "precondition_required"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The body is larger than the API takes."
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This record already exists."
    default_code = "conflict"


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The field or query parameter, null for the request.")
    reason = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    errors = ErrorItemSerializer(many=True)


CONFLICT_CODES = {"unique", "unique_together"}


def _flatten(detail, field=None) -> list[dict]:
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            name = None if key in {"non_field_errors", "__all__", "detail"} else key
            items += _flatten(value, f"{field}.{name}" if field and name else (name or field))
        return items
    if isinstance(detail, list):
        return [item for value in detail for item in _flatten(value, field)]
    return [{"field": field, "reason": str(detail)}]


def _from_django(error: DjangoValidationError) -> exceptions.APIException:
    codes = {e.code for e in error.error_list} if not hasattr(error, "error_dict") else set()
    if hasattr(error, "error_dict"):
        codes = {e.code for errors in error.error_dict.values() for e in errors}
        detail = {("non_field_errors" if k == "__all__" else k): v for k, v in error.message_dict.items()}
    else:
        detail = {"non_field_errors": error.messages}
    if codes & CONFLICT_CODES:
        return Conflict(detail)
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    """Every error as {"errors": [{"field", "reason"}]} with its status."""
    if isinstance(exc, DjangoValidationError):
        exc = _from_django(exc)
    elif isinstance(exc, StaleRecordError):
        exc = PreconditionFailed(str(exc))
    elif isinstance(exc, OutOfScope):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(
            _("The body is larger than %(limit)s bytes.") % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        )
    elif isinstance(exc, IntegrityError):
        # A rule the database keeps, broken by a concurrent write that validation could not see.
        exc = Conflict(_("The record conflicts with another one written at the same time; read it again."))
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = {"errors": _flatten(response.data)}
    return response


@csrf_exempt  # as DRF's views: API clients send tokens, not cookies; this view changes nothing
def not_found(request, *args, **kwargs):
    return JsonResponse({"errors": [{"field": None, "reason": _("Not found.")}]}, status=404)


# Fields every record's serializer shares.

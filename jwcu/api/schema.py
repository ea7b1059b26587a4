"""The OpenAPI schema's adjustments: the registry's error shapes and parameters."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import SAFE_METHODS

from jwcu.api.errors import ErrorSerializer


class RegistrySchema(AutoSchema):
    """Documents the error shape for every status the API answers with."""

    ERROR_STATUSES = {
        "400": "Invalid field or query parameter",
        "401": "Missing, unknown or revoked token",
        "403": "The client may not do this",
        "404": "No such record in the client's scope",
        "429": "Too many requests: see Retry-After",
    }
    WRITE_STATUSES = {
        "409": "The record already exists",
        "412": "If-Match does not match the record's current ETag",
        "413": "The body is larger than the API takes",
        "415": "The body is not JSON (Content-Type: application/json)",
        "428": "If-Match is required",
    }

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "GET":
            parameters.append(
                OpenApiParameter(
                    "If-None-Match", str, OpenApiParameter.HEADER, description="An ETag held: 304 if unchanged."
                )
            )
        elif self.method == "PATCH" or (self.method == "POST" and "{" in self.path):
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    required=True,
                    description="The ETag of the record as the client last read it (412 if it changed since).",
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        statuses = dict(self.ERROR_STATUSES)
        if self.method not in SAFE_METHODS:
            statuses.update(self.WRITE_STATUSES)
        else:
            responses["304"] = {"description": "Not modified (If-None-Match)"}
        for code, description in statuses.items():
            responses.setdefault(code, self._get_response_for_code(ErrorSerializer, code))
            responses[code]["description"] = description
        return responses


def query_values_not_blank(result, generator, request, public):
    """drf-spectacular postprocessing hook: every string query parameter needs a value (the API
    refuses a blank one, see Parameters)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if parameter["in"] == "query" and schema.get("type") == "string" and "enum" not in schema:
                    schema.setdefault("minLength", 1)
    return result

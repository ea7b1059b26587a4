"""API clients: bearer tokens (hashed at rest), the permission every view checks, and
the throttle counted per client."""

import datetime
import hmac
import re

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import SimpleRateThrottle

from jwcu.models import ApiClient
from jwcu.services import api_token_hash

TOKEN_PATTERN = re.compile(r"^([0-9a-f]{8})\.[A-Za-z0-9_-]{20,100}$")
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer TOKEN`` of an API client that has not been revoked."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != b"bearer" or len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header Authorization: Bearer TOKEN."))
        token = header[1].decode("ascii", errors="replace")
        match = TOKEN_PATTERN.match(token)
        client = None
        if match:
            client = (
                ApiClient.objects.select_related("head_office")
                .filter(token_prefix=match.group(1), revoked_at__isnull=True)
                .first()
            )
        if client is None or not hmac.compare_digest(client.token_hash, api_token_hash(token)):
            raise exceptions.AuthenticationFailed(_("This token is unknown or has been revoked."))
        now = timezone.now()
        # Written at most once a minute: the row just read tells whether it is due, and the write
        # is conditional for requests arriving together.
        stale = now - LAST_USED_RESOLUTION
        if client.last_used_at is None or client.last_used_at < stale:
            due = Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
            ApiClient.objects.filter(due, pk=client.pk).update(last_used_at=now)
        return AnonymousUser(), client

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "The token of an API client."}


class ClientPermission(BasePermission):
    """Every request needs a client; writes need a read-write client."""

    def has_permission(self, request, view):
        if not isinstance(request.auth, ApiClient):
            return False
        if request.method not in SAFE_METHODS and not request.auth.can_write:
            raise exceptions.PermissionDenied(_("This client may read but not write."))
        return True


class ClientRateThrottle(SimpleRateThrottle):
    """Requests per client (429 with Retry-After); the rate is API_THROTTLE_RATE."""

    scope = "api_client"

    def get_cache_key(self, request, view):
        ident = request.auth.pk if isinstance(request.auth, ApiClient) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

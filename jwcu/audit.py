"""Who changed a record, and through which channel.

django-simple-history writes one historical row per save; this module adds the channel
(browser, admin, API, import, command) and the acting user for changes made outside a request.
"""

import contextlib
import contextvars
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    BROWSER = "browser", _("Browser")
    ADMIN = "admin", _("Admin")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    COMMAND = "command", _("Command")


@dataclass(frozen=True)
class AuditContext:
    channel: str
    user: object | None = None


# The default is a frozen dataclass, so sharing it is safe.
_current = contextvars.ContextVar("audit_context", default=AuditContext(Channel.COMMAND))  # noqa: B039


def current() -> AuditContext:
    return _current.get()


@contextlib.contextmanager
def acting(*, channel: str, user=None):
    """Attribute every record saved inside the block to ``user`` through ``channel``."""
    token = _current.set(AuditContext(channel=channel, user=user))
    try:
        yield
    finally:
        _current.reset(token)


class ChannelHistory(models.Model):
    """Abstract base of every historical model: adds the channel of the change."""

    history_channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.COMMAND)

    class Meta:
        abstract = True


def _channel_for_path(path: str) -> str:
    parts = path.strip("/").split("/")
    if parts and parts[0] in {"ja", "en"}:
        parts = parts[1:]
    head = parts[0] if parts else ""
    if head == "admin":
        return Channel.ADMIN
    if head == "api":
        return Channel.API
    return Channel.BROWSER


class ChannelMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        with acting(channel=_channel_for_path(request.path_info), user=user):
            return self.get_response(request)


def _stamp_history(sender, history_instance, **kwargs):
    context = current()
    history_instance.history_channel = context.channel
    if history_instance.history_user_id is None and context.user is not None:
        history_instance.history_user = context.user


def connect_signals():
    from simple_history.signals import pre_create_historical_record

    pre_create_historical_record.connect(_stamp_history, dispatch_uid="jwcu.audit.stamp_history")

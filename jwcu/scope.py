"""What one user or API client may see and change, applied in the querysets themselves.

Every list, detail, statistic and write of the browser and the API goes through a Scope, so
a record outside it does not exist for the caller (404), whatever URL is typed.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jwcu.models import ApiClient, Role, RoleAssignment


class OutOfScope(Exception):
    """The record, or the change asked for, lies outside the caller's scope."""


@dataclass(frozen=True)
class Scope:
    union_id: int | None  # None: every union (superuser)
    society_id: int | None = None
    head_office_id: int | None = None
    can_write: bool = False
    sensitive: bool = False
    can_manage: bool = False  # roles, API clients, anonymisation, annual report

    @classmethod
    def everything(cls) -> "Scope":
        return cls(union_id=None, can_write=True, sensitive=True, can_manage=True)

    @classmethod
    def nothing(cls) -> "Scope":
        return cls(union_id=-1)

    @classmethod
    def _of(cls, holder: ApiClient | RoleAssignment, *, can_write: bool, can_manage: bool = False) -> "Scope":
        """The scope of a role or a client: its union, society or head office (whose society it
        is then in too)."""
        society_id = holder.society_id
        if holder.head_office_id and not society_id:
            society_id = holder.head_office.society_id
        return cls(
            union_id=holder.union_id,
            society_id=society_id,
            head_office_id=holder.head_office_id,
            can_write=can_write,
            sensitive=holder.sensitive,
            can_manage=can_manage,
        )

    @classmethod
    def for_client(cls, client: ApiClient) -> "Scope":
        return cls._of(client, can_write=client.can_write)

    @classmethod
    def for_user(cls, user) -> "Scope":
        if not user.is_authenticated or not user.is_active:
            return cls.nothing()
        if user.is_superuser:
            return cls.everything()
        try:
            assignment = user.registry_role
        except RoleAssignment.DoesNotExist:
            return cls.nothing()
        return cls._of(
            assignment, can_write=assignment.role != Role.VIEWER, can_manage=assignment.role == Role.UNION_ADMIN
        )

    # Each method narrows a queryset of one model to the scope; ``prefix`` is the path from that
    # model to the field named.

    def _filter(self, queryset: QuerySet, *, union: str, society: str | None, head_office: str | None) -> QuerySet:
        if self.union_id is not None:
            queryset = queryset.filter(**{union: self.union_id})
        if self.society_id is not None and society is not None:
            queryset = queryset.filter(**{society: self.society_id})
        if self.head_office_id is not None and head_office is not None:
            queryset = queryset.filter(**{head_office: self.head_office_id})
        return queryset

    def unions(self, queryset):
        return queryset if self.union_id is None else queryset.filter(pk=self.union_id)

    def societies(self, queryset):
        return self._filter(queryset, union="union_id", society="pk", head_office=None)

    def head_offices(self, queryset):
        return self._filter(queryset, union="society__union_id", society="society_id", head_office="pk")

    def centers(self, queryset):
        return self._filter(queryset, union="society__union_id", society="society_id", head_office="head_office_id")

    def members(self, queryset):
        return self._filter(
            queryset, union="society__union_id", society="society_id", head_office="business_center__head_office_id"
        )

    def programmes(self, queryset):
        return self._filter(
            queryset,
            union="union_id",
            society="business_center__society_id",
            head_office="business_center__head_office_id",
        )

    def partners(self, queryset):
        return self._filter(queryset, union="union_id", society=None, head_office=None)

    def annual_figures(self, queryset):
        if self.union_id is not None:
            queryset = queryset.filter(
                Q(society__union_id=self.union_id) | Q(business_center__society__union_id=self.union_id)
            )
        if self.society_id is not None:
            queryset = queryset.filter(Q(society_id=self.society_id) | Q(business_center__society_id=self.society_id))
        if self.head_office_id is not None:
            queryset = queryset.filter(business_center__head_office_id=self.head_office_id)
        return queryset

    def require_write(self):
        if not self.can_write:
            raise OutOfScope(_("You may read these records but not change them."))

    def require_sensitive(self):
        if not self.sensitive:
            raise OutOfScope(_("Only users with the sensitive-data permission may see or record this."))

    @property
    def can_import(self) -> bool:
        """Union administrators and society editors import files; a head office's editors do not
        (a file names societies, not head offices), nor do viewers."""
        return self.can_write and self.head_office_id is None

    def require_import(self):
        if not self.can_import:
            raise OutOfScope(_("Only union administrators and society editors may import."))

    def require_manage(self):
        if not self.can_manage:
            raise OutOfScope(_("Only a union administrator may do this."))


_NARROWERS = {
    "members.union": "unions",
    "members.membersociety": "societies",
    "businesses.headoffice": "head_offices",
    "businesses.businesscenter": "centers",
    "members.workermember": "members",
    "businesses.programme": "programmes",
    "members.partner": "partners",
    "businesses.annualfigures": "annual_figures",
}


def narrow(scope: Scope, queryset: QuerySet) -> QuerySet:
    """``queryset`` restricted to ``scope``, whatever its model."""
    return getattr(scope, _NARROWERS[queryset.model._meta.label_lower])(queryset)


def contains(scope: Scope, instance) -> bool:
    return narrow(scope, type(instance)._default_manager.filter(pk=instance.pk)).exists()


def scope_of(request) -> Scope:
    """The scope of a request: its API client's, or its signed-in user's."""
    client = getattr(request, "auth", None)
    if isinstance(client, ApiClient):
        return Scope.for_client(client)
    return Scope.for_user(request.user)


def narrowable(model) -> bool:
    """Whether records of ``model`` are narrowed to a scope."""
    return model._meta.label_lower in _NARROWERS

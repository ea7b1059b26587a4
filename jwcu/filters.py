"""Pieces shared by the FilterSets of every app."""

from functools import reduce
from operator import and_, or_

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jwcu.display import name_of
from jwcu.scope import Scope, scope_of


def text_search(queryset, fields: list[str], value: str):
    """Every whitespace-separated term must match one of ``fields`` (kanji, kana or romaji)."""
    terms = value.split()
    if not terms:
        return queryset
    return queryset.filter(reduce(and_, (reduce(or_, (Q(**{f"{f}__icontains": t}) for f in fields)) for t in terms)))


class NamedChoiceField(forms.ModelChoiceField):
    """Choices named in the active language (a society's Japanese name where Japanese is chosen)."""

    def label_from_instance(self, obj):
        return name_of(obj)


class CodeFilter(django_filters.ModelChoiceFilter):
    """Filter by a related record's code; an unknown code is a validation error."""

    field_class = NamedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)


class SearchFilter(django_filters.CharFilter):
    def __init__(self, fields: list[str], **kwargs):
        self.search_fields = fields
        kwargs.setdefault("label", _("Search"))
        super().__init__(method=self.search, **kwargs)

    def search(self, queryset, name, value):
        return text_search(queryset, self.search_fields, value)


class ScopedFilterSet(django_filters.FilterSet):
    """Narrows the choices of code filters to the caller's scope."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.scope = scope_of(request) if request is not None else Scope.nothing()
        for name, narrower in self.scoped_choices().items():
            if name in self.filters:
                self.filters[name].queryset = narrower(self.filters[name].queryset)

    def scoped_choices(self) -> dict:
        return {}

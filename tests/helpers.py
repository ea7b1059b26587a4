"""Assertions shared by the test modules."""

import contextlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

END_BEFORE_START = "The end date cannot be before the start date."


@contextlib.contextmanager
def refused_by_database(constraint: str):
    """The block must fail with an IntegrityError raised by the named database constraint."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        yield
    assert excinfo.value.__cause__.diag.constraint_name == constraint


def validation_errors(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict

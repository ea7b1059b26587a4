import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english():
    """Messages asserted word for word are the English ones."""
    with translation.override("en"):
        yield

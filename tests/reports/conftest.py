import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    """The reports' tests read English labels; test_i18n checks the Japanese ones."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield

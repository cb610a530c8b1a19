import pytest


@pytest.fixture(autouse=True)
def reports_root(settings, tmp_path):
    """Each test its own reports folder: job ids repeat between tests once their rows roll back."""
    settings.REPORTS_ROOT = tmp_path / "reports"
    return settings.REPORTS_ROOT

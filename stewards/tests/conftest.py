import pytest


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run a block and its on-commit callbacks (delivery of notifications) as production would."""

    def runner():
        return django_capture_on_commit_callbacks(execute=True)

    return runner

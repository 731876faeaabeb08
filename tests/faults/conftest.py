import pytest

from tests.faults.helpers import Processes, RedisServer, require_redis_server


@pytest.fixture
def processes(tmp_path):
    """Start processes through this; each process group is SIGKILLed when the test ends."""
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.close()


@pytest.fixture
def redis_server(processes):
    """A private Redis the test may stop: the shared one is never touched."""
    return RedisServer(processes, require_redis_server()).start()


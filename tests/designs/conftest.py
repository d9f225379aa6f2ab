import pytest


@pytest.fixture
def staff_client(client, alice):
    """The test client, logged in as `alice`, owner of `project`."""
    client.force_login(alice)
    return client

import pytest
from hypothesis import Phase
from hypothesis import settings as hypothesis_settings

# `pytest --hypothesis-profile=explore` when hunting: no shrinking, so a run full of failures
# still ends in minutes; each failure then shows its first (unshrunk) example.
hypothesis_settings.register_profile("explore", phases=[Phase.explicit, Phase.generate])


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The fuzz logs in and creates users per test; PBKDF2 would be most of its time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

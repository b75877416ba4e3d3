"""Settings for the test suite: the real settings with fast hashing and mail kept in memory."""

from iptcare.settings import *  # noqa: F403
from iptcare.settings import PASSWORD_HASHERS

# Argon2 is deliberately slow; the test that checks the production hasher switches it back on.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_FAILURE_LIMIT = 5

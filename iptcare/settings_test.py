"""Settings for the test suite: the real settings with fast hashing and mail kept in memory."""

from iptcare.settings import *  # noqa: F403
from iptcare.settings import PASSWORD_HASHERS

# Argon2 is deliberately slow; the test that checks the production hasher switches it back on.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_FAILURE_LIMIT = 5
# A fixed master key for the encrypted fields, for tests only (production reads IPTCARE_MASTER_KEYS).
FIELD_ENCRYPTION_MASTER_KEYS = ["eHBxiidRxtoAdA717zYotTB-QqCwuWxwnNXixX4i1Bg="]
# Rate limits far above what any test sends from its one address; tests/security/ sets small ones where it checks them.
RATE_LIMITS = {scope: (10_000, 3600) for scope in RATE_LIMITS}  # noqa: F405

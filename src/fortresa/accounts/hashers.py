from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id above OWASP's minimum (19 MiB, t=2, p=1): 64 MiB, t=3, p=1.

    The algorithm name stays ``argon2`` so Django's own hasher can still read these
    hashes; the encoded hash records its own parameters and is upgraded on login.
    """

    time_cost = 3
    memory_cost = 65536
    parallelism = 1

"""Test settings: the real settings with the few things a test run must change."""

from civicloop.settings import *  # noqa: F403

# Tasks run inline, so a test sees their effect; the worker itself is tested separately.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Argon2 is deliberately slow; tests that need it (tests/accounts) ask for it explicitly.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Serve static files from the finders without collectstatic; without autorefresh, whitenoise
# warns (an error under filterwarnings) that STATIC_ROOT does not exist yet.
WHITENOISE_AUTOREFRESH = True
# A cache per test process (the file cache under var/ would carry state between runs), and the
# performance figures computed on every request (tests/reports/test_performance.py turns it on).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CIVICLOOP_PERFORMANCE_CACHE_SECONDS = 0
_periodic = CIVICLOOP_PERIODIC  # noqa: F405 — from the real settings
CIVICLOOP_PERIODIC = {path: seconds for path, seconds in _periodic.items() if not path.endswith("_cache_warm")}
# Each task logs its start and end at INFO; in a failing test's report that hides the failure.
LOGGING["loggers"]["django_tasks"] = {"level": "WARNING"}  # noqa: F405

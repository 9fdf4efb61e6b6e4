"""Django's WSGI handler alone, for the bench's ceiling rows (only bench/ uses this module).

The site's entry point (``fortresa.wsgi``) first drops the server process's environment
from each request (``fortresa.hardening.environ``): a security layer, so the rows with the
security middleware switched off are served without it.
"""

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

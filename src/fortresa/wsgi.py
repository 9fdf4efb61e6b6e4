import os

from django.core.wsgi import get_wsgi_application

from fortresa.hardening.environ import ProcessEnvironScrub

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortresa.settings")
# The server process's environment (secrets included) stays out of request.META.
application = ProcessEnvironScrub(get_wsgi_application(), os.environ)

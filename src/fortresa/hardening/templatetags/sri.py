"""Subresource Integrity for our own static files: ``{% integrity 'fortresa/site.css' %}``.

The digest is computed from the exact bytes the site serves: with the manifest storage
of the embedded default and production that is the collected, hashed copy (its CSS
``url()``s rewritten), in the test profile the source file found by the finders. Digests
are cached per file and modification time, so a page costs a dictionary lookup.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from django import template
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

register = template.Library()

_digests: dict[tuple[str, float], str] = {}


class MissingStaticFile(LookupError):
    """A template asked for the integrity of a static file that does not exist."""


def served_file(path: str) -> Path:
    storage = staticfiles_storage
    if isinstance(storage, ManifestFilesMixin):
        return Path(storage.path(storage.stored_name(path)))
    found = finders.find(path)
    if not isinstance(found, str):
        raise MissingStaticFile(path)
    return Path(found)


def integrity_of(path: str) -> str:
    """``sha384-<base64>`` of the static file ``path`` as served."""
    location = served_file(path)
    try:
        key = (str(location), location.stat().st_mtime)
    except OSError as exc:
        raise MissingStaticFile(path) from exc
    digest = _digests.get(key)
    if digest is None:
        raw = hashlib.sha384(location.read_bytes()).digest()
        digest = "sha384-" + base64.b64encode(raw).decode("ascii")
        _digests[key] = digest
    return digest


@register.simple_tag
def integrity(path: str) -> str:
    return integrity_of(path)

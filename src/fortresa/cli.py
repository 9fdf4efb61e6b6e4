"""The ``fortresa`` console command: Django's management commands under one name.

Fortresa's own commands (``run``, ``serve``, ``worker``, ``audit``, ...) are management
commands of its apps, so ``fortresa help`` lists everything an operator can run.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortresa.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fortresa", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()

from __future__ import annotations

from django.utils.functional import Promise


class ActionRefused(Exception):
    """A club action that the rules forbid; ``message`` is shown to the user as is.

    The message is rendered when raised, so in the language active for the request.
    """

    def __init__(self, message: str | Promise) -> None:
        self.message = str(message)
        super().__init__(self.message)

"""The domain error a booking service raises when a request breaks a club rule."""

from __future__ import annotations


class BookingRuleError(Exception):
    """A broken booking rule: ``code`` is stable for programs, ``message`` is for people.

    The message is translated in the language active when the error is raised, so views
    can show it as it is (as a form error or a flash message).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

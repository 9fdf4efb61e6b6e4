"""Rule-based attack classifier: SQL injection, XSS, path traversal, command injection."""

from fortresa.detection.rules.classifier import Verdict, classify

__all__ = ["Verdict", "classify"]

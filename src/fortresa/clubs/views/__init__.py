"""Thin views of the club pages; each module covers one page family."""

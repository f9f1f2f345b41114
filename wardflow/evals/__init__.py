"""Evaluations: labelled datasets and the reports that score wardflow against them.

Importing this package is light; each evaluation imports what it measures.
"""

__all__: list[str] = []

"""Cleaning of the poses dataset: gating, outliers, gaps, filtering, leg swaps.

Every function here is pure: it takes a poses dataset and returns a new one,
with its parameters appended to the provenance log (``append_log``).
"""

"""Comparison of sessions: baseline against follow-up, and progress over many."""

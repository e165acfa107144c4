"""Rendering of results for people: terminal tables, JSON, HTML."""

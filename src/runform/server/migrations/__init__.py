"""Alembic migrations of the coach server's schema (``versions/``), run at start-up."""

"""Alembic environment: migrate the connection the server hands over (never a config file)."""

from __future__ import annotations

from alembic import context

from runform.server.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through runform.server.database.migrate
    raise RuntimeError("run the migrations through runform.server.database.migrate")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying
)
with context.begin_transaction():
    context.run_migrations()

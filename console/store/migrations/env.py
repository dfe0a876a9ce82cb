"""Alembic environment: always runs on a connection handed over by console.store.migrate."""

from __future__ import annotations

from alembic import context

from console.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the console runs these migrations
    raise RuntimeError("Run migrations through console.store.migrate, not the alembic command.")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()

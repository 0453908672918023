"""Alembic environment: runs on the connection handed in by liaison.store.migrate."""

from alembic import context

from liaison.store.migrate import include_name
from liaison.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()

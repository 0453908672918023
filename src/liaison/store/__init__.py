"""Tables, the engine, migrations, and every place where SQLite and PostgreSQL differ."""

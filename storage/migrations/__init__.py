"""The Alembic environment (env.py) and the migrations (versions/); storage/migrate.py drives them."""

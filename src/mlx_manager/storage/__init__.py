"""Persistence: the database engine, tables, repositories and Alembic migrations.

SQLite in the data dir by default; PostgreSQL when ``MLX_MANAGER_DATABASE_URL`` says so. Nothing
on the request hot path reads from here: services keep in-memory snapshots up to date instead.
"""

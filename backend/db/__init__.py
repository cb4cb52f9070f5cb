"""Storage: the engine and sessions, the SQLAlchemy tables and the Alembic migrations."""

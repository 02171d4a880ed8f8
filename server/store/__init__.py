"""Persistence: a small database adapter interface, its SQLite implementation, and the
SQL every use case runs, one module per area (``areas``) put together per transaction
(``transaction.Transaction``). The SQL is portable (``?`` placeholders, no SQLite-only
syntax) so that a PostgreSQL adapter can run the same statements."""

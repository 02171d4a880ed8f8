"""The SQL gateway, one module per area of the schema.

Each area is a class over one ``Connection``; ``store.transaction.Transaction`` puts them
together for one transaction. The SQL here stays within what SQLite and PostgreSQL both
accept (``?`` placeholders, row values, ``ON CONFLICT``, ``RETURNING``), so a back end
replaces an area only where its dialect must differ.
"""

"""The schema revisions this build expects (Alembic heads). A test keeps this equal to the scripts.

Knowing them without loading Alembic lets an up-to-date database open without importing it.
"""

HEADS = frozenset({"0010_clock_entry_kinds"})

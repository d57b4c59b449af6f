"""File and API imports for the data hub (see docs/import-formats.md).

- ``columns``: column types, validated a whole column at a time
- ``parsing``: CSV/XLSX into text frames
- ``registry``: the kinds of file (datahub's in ``kinds``; destinations registers its own)
- ``engine``: validation and the all-or-nothing write
- ``sql``: staging table, set-based counts, history and ON CONFLICT merge
- ``services``: import batches (create, process, cancel), API records
"""

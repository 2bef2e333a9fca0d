"""Data domain: engines for the databases users browse (and, with the Data issue, schema and queries)."""

"""granska.ingest: files -> parsed documents -> report metadata -> chunks (knows nothing of index or app)."""

# Ingest: one sealed submission from file to store (daemon and rebuild).

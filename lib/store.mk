# The national aggregate store (backend interface + SQLite).

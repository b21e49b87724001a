# Small-cell suppression and its LP audit.

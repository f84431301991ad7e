"""One module per document kind: its record model and the context its template needs."""

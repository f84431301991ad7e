"""Document models, jurisdiction profiles and rendering (PDF, DOCX, HTML).

`forms` knows nothing of `audit`, `cases` or `service`; they build on it.
"""

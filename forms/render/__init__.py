"""Record → HTML (Jinja) → PDF (WeasyPrint) and DOCX (python-docx): one text, two formats."""

"""The HTTP service and web pages (FastAPI): storage, users and roles; calls forms/ and audit/."""

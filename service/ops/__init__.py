"""What the service does, independent of HTTP: the pages and the API both call these."""

from __future__ import annotations


class ServiceError(Exception):
    """Bad input a user can fix; the message is Chinese and shown as is. `fields` maps a
    form field's name to what is wrong with it, for the page to show beside the field."""

    def __init__(
        self,
        message: str,
        status: int = 400,
        details: list[str] | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.details = details or []
        self.fields = fields or {}

"""Turning a service's ValidationError into what a page shows."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError


def error_messages(exc: ValidationError) -> dict[str, str]:
    """{field: message}; errors not tied to a field under "general" (templates cannot read __all__)."""
    found = exc.message_dict if hasattr(exc, "error_dict") else {"general": exc.messages}
    return {("general" if k == "__all__" else k): " ".join(v) for k, v in found.items()}


def add_errors(form: Any, exc: ValidationError, *, field_of: Mapping[str, str] = {}) -> None:
    """Put a service's errors on a Django form: on the field they name, else on the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        name = field_of.get(field, field)
        form.add_error(name if name in form.fields else None, errors)

"""Reading configuration from the environment, with local defaults for a single-machine install."""

import os
import secrets
from pathlib import Path


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def data_dir() -> Path:
    """The folder for the default SQLite database, uploads and locally generated keys."""
    path = Path(env_str("HUIFANG_DATA_DIR") or Path.cwd() / "data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def local_secret(name: str) -> str:
    """A random secret kept in the data folder, made on first use.

    Used only when the environment gives none, so that `make demo` works on a
    fresh machine; production installations set the environment variables.
    """
    path = data_dir() / f".{name}"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()

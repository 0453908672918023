"""One settings object for the node, read from LIAISON_* environment variables."""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from liaison.domain.accounts import parse_roles

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name
NODE_KEY_FILE = "node_key.pem"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIAISON_", extra="ignore")

    data_dir: Path = Path("./var")
    database_url: str | None = None
    node_name: str = Field(default="liaison.local", min_length=1, max_length=253)
    secret_key: SecretStr | None = None
    token_ttl_minutes: int = Field(default=12 * 60, ge=1, le=30 * 24 * 60)
    session_ttl_minutes: int = Field(default=8 * 60, ge=1, le=7 * 24 * 60)
    lockout_threshold: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    totp_required_roles: frozenset[str] = frozenset()
    cookie_secure: bool = True
    attachment_max_bytes: int = Field(default=25 * 1024 * 1024, ge=1, le=2**40)
    request_max_bytes: int = Field(default=1024 * 1024, ge=1024, le=2**30)
    messages_per_minute: int = Field(default=60, ge=1)
    # Machine translation: "none", "libretranslate" (at translation_url) or "argos" (when its
    # language packages are installed). The engine is treated as a reader holding
    # `translation_clearance` (clearance JSON); without one it is sent nothing labelled.
    translation_engine: str = "none"
    translation_url: str | None = None
    translation_api_key: SecretStr | None = None
    translation_clearance: str | None = None
    message_burst: int = Field(default=20, ge=1)
    log_level: str = "INFO"

    @field_validator("node_name")
    @classmethod
    def _node_name_is_a_hostname(cls, value: str) -> str:
        allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-.")
        if not set(value.lower()) <= allowed:
            raise ValueError("must be a DNS-style name (letters, digits, '-', '.')")
        return value

    @field_validator("totp_required_roles")
    @classmethod
    def _roles_exist(cls, value: frozenset[str]) -> frozenset[str]:
        parse_roles(sorted(value))
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'liaison.sqlite3').resolve()}"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def node_key_path(self) -> Path:
        return self.data_dir / NODE_KEY_FILE

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    @cached_property
    def resolved_secret_key(self) -> bytes:
        """The given secret key, or one generated on first start and kept (0600) in the data dir."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        self.ensure_data_dir()
        path = self.data_dir / SECRET_KEY_FILE
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            if path.stat().st_mode & 0o077:
                message = f"{path} must be readable by its owner only (chmod 600)"
                raise PermissionError(message) from None
            return path.read_bytes().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        return path.read_bytes().strip()

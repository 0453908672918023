"""Response shapes shared by several routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    display_name: str
    nation: str
    roles: list[str]
    totp_enabled: bool
    clearance: dict[str, Any] | None
    person_id: uuid.UUID | None
    is_active: bool
    origin: str
    created_at: datetime
    version: int

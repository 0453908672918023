"""The caller's own account, and TOTP enrolment."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from liaison.actions.accounts import do_begin_totp, do_confirm_totp, do_set_time_zone
from liaison.http.deps import Caller, NodeDep

router = APIRouter(prefix="/me", tags=["me"])


class Me(BaseModel):
    id: str
    username: str
    display_name: str
    nation: str
    roles: list[str]


class TotpEnrolment(BaseModel):
    provisioning_uri: str


class TotpConfirmation(BaseModel):
    otp: str = Field(pattern=r"^[0-9]{6,8}$")


@router.get("")
async def me(caller: Caller) -> Me:
    return Me(
        id=str(caller.user_id),
        username=caller.username,
        display_name=caller.display_name,
        nation=caller.nation,
        roles=sorted(caller.roles),
    )


@router.post("/totp", status_code=201)
def begin_totp(caller: Caller, node: NodeDep) -> TotpEnrolment:
    with node.db.writing() as session:
        uri = do_begin_totp(session, caller, node.sealer, issuer=node.settings.node_name)
    return TotpEnrolment(provisioning_uri=uri)


@router.post("/totp/confirm", status_code=204)
def confirm_totp(body: TotpConfirmation, caller: Caller, node: NodeDep) -> None:
    with node.db.writing() as session:
        do_confirm_totp(session, caller, node.sealer, body.otp)


class TimeZone(BaseModel):
    time_zone: str | None = Field(
        default=None, max_length=64, description="IANA, e.g. Europe/Paris"
    )


@router.put("/time-zone")
def set_time_zone(body: TimeZone, caller: Caller, node: NodeDep) -> TimeZone:
    with node.db.writing() as session:
        user = do_set_time_zone(session, caller, body.time_zone)
        return TimeZone(time_zone=user.time_zone)

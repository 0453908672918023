"""The user directory, for administrators."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field

from liaison.actions.accounts import do_create_user, do_set_clearance, do_update_user
from liaison.actions.people import do_link_user
from liaison.api.etags import etag
from liaison.api.etags import if_match as if_match_version
from liaison.api.schemas import UserOut
from liaison.domain.accounts import MAX_PASSWORD_LENGTH
from liaison.http.deps import Caller, NodeDep, ReadSession
from liaison.queries import accounts

router = APIRouter(prefix="/users", tags=["users"])


class NewUser(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    display_name: str = Field(default="", max_length=200)
    nation: str = Field(min_length=3, max_length=3)
    roles: list[str] = Field(min_length=1, max_length=5)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None


@router.get("")
def list_users(
    caller: Caller,
    session: ReadSession,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50),
) -> UserPage:
    page = accounts.list_users(session, caller, cursor, limit)
    return UserPage(
        items=[UserOut.model_validate(user) for user in page.items], next_cursor=page.next_cursor
    )


class UserChange(BaseModel):
    display_name: str | None = Field(default=None, max_length=200)
    roles: list[str] | None = Field(default=None, min_length=1, max_length=5)
    is_active: bool | None = None


@router.get("/{user_id}")
def get_user(
    user_id: uuid.UUID, caller: Caller, session: ReadSession, response: Response
) -> UserOut:
    user = UserOut.model_validate(accounts.get_user(session, caller, user_id))
    response.headers["ETag"] = etag(user.version)
    return user


@router.patch("/{user_id}")
def update_user(
    user_id: uuid.UUID,
    body: UserChange,
    caller: Caller,
    node: NodeDep,
    response: Response,
    if_match: str | None = Header(default=None, max_length=64),
) -> UserOut:
    with node.db.writing() as session:
        updated = do_update_user(
            session,
            caller,
            user_id,
            expected_version=if_match_version(if_match),
            display_name=body.display_name,
            roles=body.roles,
            is_active=body.is_active,
        )
        user = UserOut.model_validate(updated)
    response.headers["ETag"] = etag(user.version)
    return user


@router.post("", status_code=201)
def create_user(body: NewUser, caller: Caller, node: NodeDep) -> UserOut:
    with node.db.writing() as session:
        user = do_create_user(
            session,
            caller,
            username=body.username,
            display_name=body.display_name,
            nation=body.nation,
            roles=body.roles,
            password=body.password,
            origin=node.settings.node_name,
        )
        return UserOut.model_validate(user)


class ClearanceIn(BaseModel):
    """The clearance file format: policy, classifications held, categories held per tag set."""

    policy: str = Field(max_length=200)
    classifications: list[str] = Field(max_length=50)
    categories: dict[str, list[str]] = Field(default_factory=dict, max_length=50)


@router.put("/{user_id}/clearance")
def set_clearance(user_id: uuid.UUID, body: ClearanceIn, caller: Caller, node: NodeDep) -> UserOut:
    """Security officers set a user's clearance; it takes effect on the user's next request."""
    with node.db.writing() as session:
        return UserOut.model_validate(do_set_clearance(session, caller, user_id, body.model_dump()))


@router.delete("/{user_id}/clearance")
def withdraw_clearance(user_id: uuid.UUID, caller: Caller, node: NodeDep) -> UserOut:
    with node.db.writing() as session:
        return UserOut.model_validate(do_set_clearance(session, caller, user_id, None))


class PersonLink(BaseModel):
    person_id: uuid.UUID | None  # None unlinks


@router.put("/{user_id}/person")
def link_person(user_id: uuid.UUID, body: PersonLink, caller: Caller, node: NodeDep) -> UserOut:
    """Administrators link an account to the person it belongs to; from the user's next
    request, access decisions use that person's clearance."""
    with node.db.writing() as session:
        return UserOut.model_validate(do_link_user(session, caller, user_id, body.person_id))

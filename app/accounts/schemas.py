from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import EmailStr, Field, StringConstraints

from app.core.schemas import PLAIN_TEXT_PATTERN, Name, Schema

Password = Annotated[
    str,
    StringConstraints(min_length=10, max_length=128, pattern=PLAIN_TEXT_PATTERN),
    Field(description="10 to 128 characters."),
]


class UserCreate(Schema):
    email: Annotated[EmailStr, StringConstraints(max_length=320)]
    password: Password
    display_name: Name


class UserRead(Schema):
    id: UUID
    email: str
    display_name: str
    created_at: datetime


class UserUpdate(Schema):
    display_name: Name | None = None


class PasswordChange(Schema):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=PLAIN_TEXT_PATTERN)]
    new_password: Password


class TokenRead(Schema):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")


class RefreshCreate(Schema):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]


class LoginForm(Schema):
    """The OAuth2 password grant's form fields."""

    grant_type: Annotated[str | None, Field(pattern="^password$")] = None
    username: Annotated[
        str,
        StringConstraints(min_length=1, max_length=320, pattern=PLAIN_TEXT_PATTERN),
        Field(description="The account's email."),
    ]
    password: Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=PLAIN_TEXT_PATTERN)]
    scope: Annotated[str, StringConstraints(max_length=200, pattern=PLAIN_TEXT_PATTERN)] = ""

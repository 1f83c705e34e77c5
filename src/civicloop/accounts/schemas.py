"""django-ninja schemas for the accounts API."""

from __future__ import annotations

from ninja import Field, Schema


class RoleOut(Schema):
    role: str = Field(examples=["agency_manager"])
    label: str = Field(description="The role's name in the reader's language.", examples=["Agency manager"])
    jurisdiction: str = Field(description="Slug of the jurisdiction the role is held in.")
    agency: str | None = Field(description="Slug of the agency, for agency staff and managers; null otherwise.")
    organisation: str = Field(description="For monitors: the civil-society organisation.")


class MeOut(Schema):
    email: str
    name: str
    roles: list[RoleOut]

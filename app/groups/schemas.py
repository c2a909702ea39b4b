from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, Field, StrictInt, model_validator

from app.core.schemas import CountryCode, Name, Schema, Text, not_blank
from app.groups.models import Admission, GroupKind, GroupStatus, LegalForm, MotionKind, MotionStatus, RequestStatus


class HouseholdCreate(Schema):
    name: Name


class HouseholdMemberRead(Schema):
    user_id: UUID
    display_name: str
    created_at: datetime


class HouseholdRead(Schema):
    id: UUID
    name: str
    created_at: datetime
    members: list[HouseholdMemberRead]


class HouseholdSummary(Schema):
    id: UUID
    name: str
    created_at: datetime


class HouseholdUpdate(Schema):
    name: Name | None = None


class HouseholdMemberCreate(Schema):
    user_id: UUID


class ConsumerGroupCreate(Schema):
    name: Name
    legal_form: LegalForm
    country: CountryCode
    region: Name
    admission: Admission = Field(
        default=Admission.by_approval,
        description="`open`: a household joins at once; `by_approval`: a coordinator admits each request.",
    )


class ConsumerGroupUpdate(Schema):
    name: Name | None = None
    region: Name | None = None
    approval_quorum: Annotated[StrictInt | None, Field(ge=1, le=150)] = Field(
        default=None, description="Coordinators whose approval accepts an agreement; at most the coordinator count."
    )
    admission: Admission | None = Field(
        default=None, description="`open` or `by_approval`: whether a coordinator admits each household."
    )


class ConsumerGroupRead(Schema):
    id: UUID
    name: str
    legal_form: LegalForm
    country: str
    region: str
    status: GroupStatus = Field(description="`forming` below 15 households, `active` from 15 to 150.")
    member_count: int
    coordinator_count: int
    admission: Admission
    approval_quorum: int = Field(validation_alias="effective_approval_quorum")
    created_at: datetime


class MembershipCreate(Schema):
    household_id: UUID


class MembershipRead(Schema):
    group_id: UUID
    household_id: UUID
    household_name: str
    created_at: datetime


class WaitingListEntryRead(Schema):
    group_id: UUID
    household_id: UUID
    household_name: str
    position: int = Field(description="1 is the next household admitted when a place frees.")
    created_at: datetime


class MembershipRequestRead(Schema):
    id: UUID
    group_id: UUID
    household_id: UUID
    household_name: str
    status: RequestStatus = Field(
        description="`pending` until a coordinator decides; `admitted` (a member now), `waiting` (admitted "
        "while the group was full: on its waiting list) or `declined`."
    )
    requested_at: datetime
    decided_by: UUID | None
    decided_at: datetime | None
    decline_reason: str | None


class MembershipRequestDecline(Schema):
    reason: Annotated[Text, Field(min_length=1, max_length=500), AfterValidator(not_blank)]


class HouseholdGroupsRead(Schema):
    """A household's own memberships and places on waiting lists."""

    memberships: list[MembershipRead]
    waiting: list[WaitingListEntryRead]


class CoordinatorCreate(Schema):
    user_id: UUID


class CoordinatorRead(Schema):
    group_id: UUID
    user_id: UUID
    display_name: str
    appointed_by: UUID | None
    appointed_at: datetime
    ended_by: UUID | None
    ended_at: datetime | None


class PickupStationCreate(Schema):
    name: Name
    address: Annotated[Text, Field(min_length=1, max_length=500), AfterValidator(not_blank)]
    latitude: Annotated[float | None, Field(ge=-90, le=90, allow_inf_nan=False)] = None
    longitude: Annotated[float | None, Field(ge=-180, le=180, allow_inf_nan=False)] = None

    @model_validator(mode="after")
    def coordinates_come_in_pairs(self) -> "PickupStationCreate":
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        return self


class PickupStationRead(Schema):
    id: UUID
    group_id: UUID
    name: str
    address: str
    latitude: float | None
    longitude: float | None
    created_at: datetime


class LowerQuorumMotionCreate(Schema):
    kind: Literal["lower_quorum"]
    approval_quorum: Annotated[StrictInt, Field(ge=1, le=150)] = Field(
        description="The new quorum: lower than the approvals the group's decisions need now."
    )


class EndTermMotionCreate(Schema):
    kind: Literal["end_term"]
    user_id: UUID = Field(description="Another coordinator in office, whose term the motion ends.")


class RemoveHouseholdMotionCreate(Schema):
    kind: Literal["remove_household"]
    household_id: UUID = Field(description="A member household of the group, which the motion removes.")
    reason: Annotated[Text, Field(min_length=1, max_length=500), AfterValidator(not_blank)] = Field(
        description="Why the household is removed; recorded with the motion, readable by the household's people."
    )


MotionCreateBody = LowerQuorumMotionCreate | EndTermMotionCreate | RemoveHouseholdMotionCreate
MotionCreate = Annotated[MotionCreateBody, Field(discriminator="kind")]


class MotionApprovalRead(Schema):
    user_id: UUID
    approved_at: datetime
    in_office: bool = Field(description="Whether the approver still coordinates; only then does it count.")


class MotionRead(Schema):
    id: UUID
    group_kind: GroupKind = Field(description="`consumer` or `producer`: the kind of group `group_id` names.")
    group_id: UUID
    kind: MotionKind
    params: dict[str, Any] = Field(
        description="`approval_quorum` (lower_quorum), `user_id` (end_term), or `household_id` and `reason` "
        "(remove_household)."
    )
    status: MotionStatus = Field(
        description="`open` until the approvals of coordinators in office reach the group's quorum; then "
        "`carried`, its change applied."
    )
    moved_by: UUID
    created_at: datetime
    carried_at: datetime | None
    approvals: list[MotionApprovalRead]

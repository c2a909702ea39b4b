"""Demo data for a newcomer: consumer and producer groups in several ASEAN countries, built
through the services so every rule holds. Loading twice changes nothing.

Run with `python -m app.demo` (the `make run` target does it)."""

import asyncio
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts.models import User
from app.accounts.principal import Principal
from app.core import security
from app.core.config import get_settings
from app.core.db import create_engine, create_session_factory
from app.groups import service as groups
from app.groups.models import LegalForm
from app.groups.schemas import ConsumerGroupCreate, PickupStationCreate
from app.producers import service as producers
from app.producers.schemas import CertificationCreate, ProducerGroupCreate

DEMO_PASSWORD = "teikei-demo-2026"
DEMO_DOMAIN = "demo.teikei.example"


@dataclass(frozen=True)
class DemoConsumerGroup:
    coordinator: str
    name: str
    legal_form: LegalForm
    country: str
    region: str
    households: int
    station: PickupStationCreate


CONSUMER_GROUPS = [
    DemoConsumerGroup(
        "mai",
        "Chiang Mai Organic Families",
        LegalForm.association,
        "TH",
        "Chiang Mai",
        18,
        PickupStationCreate(
            name="Wat Suan Dok hall", address="139 Suthep Rd, Chiang Mai", latitude=18.7884, longitude=98.9686
        ),
    ),
    DemoConsumerGroup(
        "linh",
        "Hanoi Clean Food Circle",
        LegalForm.club,
        "VN",
        "Hanoi",
        9,
        PickupStationCreate(name="Tay Ho community house", address="25 To Ngoc Van, Tay Ho, Hanoi"),
    ),
    DemoConsumerGroup(
        "ana",
        "Quezon City Bayanihan Kitchen",
        LegalForm.cooperative,
        "PH",
        "Metro Manila",
        6,
        PickupStationCreate(name="Barangay Teachers Village hall", address="Maginhawa St, Quezon City"),
    ),
]


@dataclass(frozen=True)
class DemoProducerGroup:
    coordinator: str
    group: ProducerGroupCreate
    farms: int
    certifications: list[CertificationCreate] = field(default_factory=list)


PRODUCER_GROUPS = [
    DemoProducerGroup(
        "somchai",
        ProducerGroupCreate(
            name="Mae Taeng Organic Farmers Cooperative",
            legal_form=LegalForm.cooperative,
            country="TH",
            region="Chiang Mai",
        ),
        farms=7,
        certifications=[
            CertificationCreate(
                scheme="Organic Thailand",
                issuer="Department of Agriculture",
                number="OT-2026-0412",
                expires_on=date(2028, 3, 31),
            ),
            CertificationCreate(
                scheme="PGS", issuer="Chiang Mai Organic PGS", number="CMPGS-118", expires_on=date(2025, 12, 31)
            ),
        ],
    ),
    DemoProducerGroup(
        "budi",
        ProducerGroupCreate(
            name="Tani Organik Merapi", legal_form=LegalForm.self_help_group, country="ID", region="Yogyakarta"
        ),
        farms=5,
        certifications=[
            CertificationCreate(
                scheme="PAMOR PGS",
                issuer="Aliansi Organis Indonesia",
                number="PAMOR-YK-031",
                expires_on=date(2027, 6, 30),
            ),
        ],
    ),
]


async def load(session: AsyncSession) -> bool:
    """Load the demo once; False when it is there already."""
    if await session.scalar(select(User.id).where(User.email == f"mai@{DEMO_DOMAIN}")) is not None:
        return False
    password_hash = security.hash_password(DEMO_PASSWORD)
    for demo in CONSUMER_GROUPS:
        await _consumer_group(session, demo, password_hash)
    for producer in PRODUCER_GROUPS:
        await _producer_group(session, producer, password_hash)
    return True


async def _user(session: AsyncSession, local_part: str, display_name: str, password_hash: str) -> Principal:
    user = User(email=f"{local_part}@{DEMO_DOMAIN}", display_name=display_name, password_hash=password_hash)
    session.add(user)
    await session.flush()
    return Principal(user_id=user.id)


async def _consumer_group(session: AsyncSession, demo: DemoConsumerGroup, password_hash: str) -> None:
    coordinator = await _user(session, demo.coordinator, demo.coordinator.title(), password_hash)
    group = await groups.create_group(
        session,
        coordinator,
        ConsumerGroupCreate(name=demo.name, legal_form=demo.legal_form, country=demo.country, region=demo.region),
    )
    await groups.add_pickup_station(session, coordinator, group_id=group.id, data=demo.station)
    own = await groups.create_household(session, coordinator, name=f"{demo.coordinator.title()}'s household")
    await groups.join_group(session, coordinator, group_id=group.id, household_id=own.id)
    for number in range(2, demo.households + 1):
        member = await _user(session, f"{demo.coordinator}.member{number}", f"Member {number}", password_hash)
        household = await groups.create_household(session, member, name=f"{demo.name} household {number}")
        await groups.join_group(session, member, group_id=group.id, household_id=household.id)
        if number == 2:  # a second coordinator, so agreements need a quorum of two
            await groups.appoint_coordinator(session, coordinator, group_id=group.id, user_id=member.user_id)


async def _producer_group(session: AsyncSession, demo: DemoProducerGroup, password_hash: str) -> None:
    coordinator = await _user(session, demo.coordinator, demo.coordinator.title(), password_hash)
    group = await producers.create_producer_group(session, coordinator, demo.group)
    for number in range(1, demo.farms + 1):
        farmer = await _user(session, f"{demo.coordinator}.farm{number}", f"Farmer {number}", password_hash)
        household = await groups.create_household(session, farmer, name=f"{demo.group.region} farm {number}")
        await producers.admit_household(session, coordinator, producer_group_id=group.id, household_id=household.id)
    for certification in demo.certifications:
        await producers.record_certification(session, coordinator, producer_group_id=group.id, data=certification)


async def main() -> None:
    engine = create_engine(get_settings().database_url)
    session_factory: async_sessionmaker[AsyncSession] = create_session_factory(engine)
    async with session_factory.begin() as session:
        loaded = await load(session)
    await engine.dispose()
    print("Demo data loaded." if loaded else "Demo data is there already.")


if __name__ == "__main__":
    asyncio.run(main())

"""Demo data for a newcomer: consumer and producer groups in several ASEAN countries, built
through the services so every rule holds. Loading twice changes nothing.

Run with `python -m app.demo` (the `make run` target does it)."""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import app.models  # noqa: F401  (every table known, so every foreign key resolves)
from app import demo_catalogue
from app.accounts.models import User
from app.accounts.principal import Principal
from app.agreements.schemas import AgreementCreate, CounterProposalCreate, TermsItem
from app.agreements.service import lifecycle, subscriptions
from app.agreements.service import messages as agreement_messages
from app.agreements.service import negotiation as agreements
from app.cancellations import service as cancellations
from app.cancellations.schemas import CancellationCreate
from app.collection import service as collection
from app.collection.models import CollectionAccountKind, PayeeKind, PayerKind, ProxyType, QrScheme
from app.collection.schemas import CollectionAccountCreate
from app.core import money, security
from app.core.config import Settings, get_settings
from app.core.db import create_engine, create_session_factory
from app.core.quantity import Unit
from app.gatherings import service as gatherings
from app.gatherings.models import GatheringKind
from app.gatherings.schemas import GatheringCreate, GatheringHostCreate
from app.groups import motions
from app.groups import service as groups
from app.groups.models import Admission, ConsumerGroup, LegalForm
from app.groups.schemas import ConsumerGroupCreate, EndTermMotionCreate, HouseholdUpdate, PickupStationCreate
from app.harvests.schemas import HarvestCreate, HarvestLineCreate
from app.harvests.service import deliveries as harvests
from app.indicators import service as indicators
from app.learning import service as learning
from app.learning.schemas import LearningEventCreate
from app.networks import service as networks
from app.networks.models import CbeKind, NetworkKind
from app.networks.schemas import EnrolmentCreate, NetworkCreate, ProgrammeCreate
from app.payments import service as payments
from app.payments.schemas import ExcessPayment, PaymentCreate, PaymentKind
from app.plans import service as plans
from app.plans.models import ProductionPlan
from app.plans.schemas import PlanCreate, PlanItemCreate
from app.producers import service as producers
from app.producers.motions import approve as approve_motion
from app.producers.schemas import CertificationCreate, ProducerGroupCreate
from app.registry import service as registry
from app.registry.schemas import PledgeCreate
from app.statements import service as statements
from app.statements.models import StatementFormat
from app.statements.schemas import CsvMappingWrite

DEMO_PASSWORD = "teikei-demo-2026"
DEMO_DOMAIN = "demo.teikei.example"
# Each demo user creates one household; the limit is the one a deployment starts with.
HOUSEHOLDS_PER_USER_MAX = Settings.model_fields["households_per_user_max"].default


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
        "thanh",
        ProducerGroupCreate(
            name="Ba Vi Organic Farmers Group", legal_form=LegalForm.self_help_group, country="VN", region="Hanoi"
        ),
        farms=4,
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


@dataclass
class BuiltGroup:
    """A demo group as built: its id, who coordinates it, and (for consumers) its households."""

    id: UUID
    coordinators: list[Principal]
    households: list[tuple[UUID, Principal]] = field(default_factory=list)
    station_id: UUID | None = None


async def load(session: AsyncSession) -> bool:
    """Load the demo once; False when it is there already."""
    if await session.scalar(select(User.id).where(User.email == f"mai@{DEMO_DOMAIN}")) is not None:
        return False
    password_hash = await security.password_hasher().hash(DEMO_PASSWORD)
    consumers = [await _consumer_group(session, demo, password_hash) for demo in CONSUMER_GROUPS]
    producers_built = [await _producer_group(session, demo, password_hash) for demo in PRODUCER_GROUPS]
    await _collection_accounts(session, consumers[0], producers_built[0])
    await _completed_season(session, consumers[0], producers_built[0])
    await _season_in_progress(session, consumers[0], producers_built[0])
    await _cancelled_season(session, consumers[0], producers_built[0])
    await _season_being_paid(session, consumers[0], producers_built[0])
    await _rotation_by_motion(session, consumers[0])
    await _request_waiting_for_approval(session, consumers[2], password_hash)
    organisations = await _catalogue(session, password_hash)
    await _networks(session, consumers, producers_built, organisations, password_hash)
    return True


async def _user(session: AsyncSession, local_part: str, display_name: str, password_hash: str) -> Principal:
    user = User(email=f"{local_part}@{DEMO_DOMAIN}", display_name=display_name, password_hash=password_hash)
    session.add(user)
    await session.flush()
    return Principal(user_id=user.id)


async def _consumer_group(session: AsyncSession, demo: DemoConsumerGroup, password_hash: str) -> BuiltGroup:
    coordinator = await _user(session, demo.coordinator, demo.coordinator.title(), password_hash)
    group = await groups.create_group(
        session,
        coordinator,
        # Open while the demo fills it; a real group starts by approval.
        ConsumerGroupCreate(
            name=demo.name,
            legal_form=demo.legal_form,
            country=demo.country,
            region=demo.region,
            admission=Admission.open,
        ),
    )
    station = await groups.add_pickup_station(session, coordinator, group_id=group.id, data=demo.station)
    built = BuiltGroup(id=group.id, coordinators=[coordinator], station_id=station.id)
    own = await groups.create_household(
        session,
        coordinator,
        name=f"{demo.coordinator.title()}'s household",
        households_per_user_max=HOUSEHOLDS_PER_USER_MAX,
    )
    await groups.join_group(session, coordinator, group_id=group.id, household_id=own.id)
    built.households.append((own.id, coordinator))
    for number in range(2, demo.households + 1):
        member = await _user(session, f"{demo.coordinator}.member{number}", f"Member {number}", password_hash)
        household = await groups.create_household(
            session, member, name=f"{demo.name} household {number}", households_per_user_max=HOUSEHOLDS_PER_USER_MAX
        )
        await groups.join_group(session, member, group_id=group.id, household_id=household.id)
        built.households.append((household.id, member))
        if number == 2:  # a second coordinator, so agreements need a quorum of two
            await groups.appoint_coordinator(session, coordinator, group_id=group.id, user_id=member.user_id)
            built.coordinators.append(member)
    return built


async def _request_waiting_for_approval(session: AsyncSession, consumers: BuiltGroup, password_hash: str) -> None:
    """The group now admits by approval, and a newcomer's household has asked to join."""
    group = await session.get(ConsumerGroup, consumers.id)
    assert group is not None
    group.admission = Admission.by_approval
    newcomer = await _user(session, "newcomer", "Newcomer", password_hash)
    household = await groups.create_household(
        session, newcomer, name="The newcomers", households_per_user_max=HOUSEHOLDS_PER_USER_MAX
    )
    await groups.join_group(session, newcomer, group_id=consumers.id, household_id=household.id)


async def _producer_group(session: AsyncSession, demo: DemoProducerGroup, password_hash: str) -> BuiltGroup:
    coordinator = await _user(session, demo.coordinator, demo.coordinator.title(), password_hash)
    group = await producers.create_producer_group(session, coordinator, demo.group)
    for number in range(1, demo.farms + 1):
        farmer = await _user(session, f"{demo.coordinator}.farm{number}", f"Farmer {number}", password_hash)
        household = await groups.create_household(
            session, farmer, name=f"{demo.group.region} farm {number}", households_per_user_max=HOUSEHOLDS_PER_USER_MAX
        )
        await producers.admit_household(session, coordinator, producer_group_id=group.id, household_id=household.id)
    for certification in demo.certifications:
        await producers.record_certification(session, coordinator, producer_group_id=group.id, data=certification)
    return BuiltGroup(id=group.id, coordinators=[coordinator])


async def _collection_accounts(session: AsyncSession, consumers: BuiltGroup, farmers: BuiltGroup) -> None:
    """Where the money goes: households pay Chiang Mai's treasurer by PromptPay, the group pays the
    cooperative's bank account."""
    proposed = await collection.create_account(
        session,
        consumers.coordinators[0],
        payee_kind=PayeeKind.consumer_group,
        payee_id=consumers.id,
        data=CollectionAccountCreate(
            kind=CollectionAccountKind.qr,
            scheme=QrScheme.promptpay,
            proxy_type=ProxyType.mobile,
            proxy_value="0812345678",
            merchant_name="CHIANG MAI ORGANIC FAMILY",
            merchant_city="CHIANG MAI",
        ),
    )
    # The group's quorum is two: its second coordinator's approval makes the account the one households pay.
    await collection.approve_account(
        session,
        consumers.coordinators[1],
        payee_kind=PayeeKind.consumer_group,
        payee_id=consumers.id,
        account_id=proposed.id,
    )
    await collection.create_account(
        session,
        farmers.coordinators[0],
        payee_kind=PayeeKind.producer_group,
        payee_id=farmers.id,
        data=CollectionAccountCreate(
            kind=CollectionAccountKind.bank_account,
            bank_name="Bank for Agriculture and Agricultural Cooperatives",
            account_holder="Mae Taeng Organic Farmers Cooperative",
            account_number="020123456789",
            swift_bic="BAABTHBK",
        ),
    )


async def _completed_season(session: AsyncSession, consumers: BuiltGroup, farmers: BuiltGroup) -> None:
    """The same partnership's rainy season a year ago: planned, agreed, paid in advance, harvested and,
    its deliveries over, completed. Recorded as it happened, at last year's dates."""
    import time_machine  # a development dependency, like the demo itself

    a_year_ago = datetime.now(UTC) - timedelta(days=365)
    with time_machine.travel(a_year_ago, tick=True):
        await _season(session, consumers, farmers, season_name=f"Rainy season {a_year_ago.year}")
    await lifecycle.complete_finished(session, today=datetime.now(UTC).date())


async def _season_in_progress(session: AsyncSession, consumers: BuiltGroup, farmers: BuiltGroup) -> None:
    """This year's season half-way through, with a message between the groups and a farm day to come."""
    today = datetime.now(UTC).date()
    farmer = farmers.coordinators[0]
    agreement_id = await _season(session, consumers, farmers, season_name=f"Rainy season {today.year}")
    await agreement_messages.post_message(
        session, farmer, agreement_id=agreement_id, body="The eggs come on Saturdays from next week on."
    )
    starts = datetime.combine(today + timedelta(days=12), time(8, 0), tzinfo=UTC)
    await gatherings.post_gathering(
        session,
        farmer,
        GatheringCreate(
            kind=GatheringKind.learning,
            title="Farm day: transplanting rice by hand",
            location="Mae Taeng",
            description="Plant with us, then lunch from the fields.",
            starts_at=starts,
            ends_at=starts + timedelta(hours=6),
            host=GatheringHostCreate(producer_group_id=farmers.id),
        ),
    )


async def _season(session: AsyncSession, consumers: BuiltGroup, farmers: BuiltGroup, *, season_name: str) -> UUID:
    """Chiang Mai Organic Families and Mae Taeng's farmers half-way through a season that began 60 days
    ago: a plan, terms negotiated and approved by two coordinators, shares taken and paid in advance, two
    harvests."""
    today = datetime.now(UTC).date()
    farmer, [mai, co_coordinator] = farmers.coordinators[0], consumers.coordinators[:2]
    window = {"harvest_from": today - timedelta(days=30), "harvest_to": today + timedelta(days=90)}
    plan = await _published_plan(
        session,
        farmer,
        farmers,
        PlanCreate(
            season_name=season_name,
            season_starts_on=today - timedelta(days=60),
            season_ends_on=today + timedelta(days=120),
            currency="THB",
            items=[
                PlanItemCreate(crop="rice", variety="Hom Mali 105", unit=Unit.kg, max_quantity="3000", **window),
                PlanItemCreate(crop="morning glory", unit=Unit.bunch, max_quantity="2500", **window),
                PlanItemCreate(crop="eggs", unit=Unit.piece, max_quantity="8000", **window),
            ],
        ),
    )
    rice, morning_glory, eggs = [item.id for item in plan.items]

    def terms(rice_price: str) -> dict[str, object]:
        return {
            "shares": 20,
            "advance_due_on": today + timedelta(days=10),
            "distribution_mode": "producer_delivers",
            "items": [
                TermsItem(plan_item_id=rice, quantity="1200", unit_price=rice_price),
                TermsItem(plan_item_id=morning_glory, quantity="800", unit_price="15.00"),
                TermsItem(plan_item_id=eggs, quantity="4000", unit_price="4.50"),
            ],
        }

    agreement = await agreements.propose(
        session, mai, AgreementCreate(production_plan_id=plan.id, consumer_group_id=consumers.id, **terms("45.00"))
    )
    await agreements.counter_propose(
        session,
        farmer,
        agreement_id=agreement.id,
        data=CounterProposalCreate(version=1, note="Rice costs more to grow this year.", **terms("48.00")),
    )
    for coordinator in (mai, co_coordinator):
        await agreements.accept_version(session, coordinator, agreement_id=agreement.id, version=2)
    await _subscribe_and_pay(session, agreement.id, consumers.households[:15], shares=[2, 2, *[1] * 13])
    await _pay_producer(session, mai, agreement.id, money.to_text(agreement.total_price_minor, "THB"))
    assert consumers.station_id is not None
    for days_ago, lines in ((7, [(rice, "150"), (morning_glory, "120"), (eggs, "600")]), (0, [(rice, "120.5")])):
        await harvests.record_harvest(
            session,
            farmer,
            agreement_id=agreement.id,
            data=HarvestCreate(
                delivered_on=today - timedelta(days=days_ago),
                pickup_station_id=consumers.station_id,
                lines=[HarvestLineCreate(plan_item_id=item, quantity=quantity) for item, quantity in lines],
            ),
        )
    return agreement.id


async def _cancelled_season(session: AsyncSession, consumers: BuiltGroup, farmers: BuiltGroup) -> None:
    """A cool-season vegetable box agreed and partly paid, then ended by mutual consent when the fields
    flooded before planting: the farmers give back most of what they received, and the households get their
    money back in proportion to what each paid."""
    today = datetime.now(UTC).date()
    farmer, [mai, co_coordinator] = farmers.coordinators[0], consumers.coordinators[:2]
    window = {"harvest_from": today + timedelta(days=40), "harvest_to": today + timedelta(days=130)}
    plan = await _published_plan(
        session,
        farmer,
        farmers,
        PlanCreate(
            season_name=f"Cool season {today.year}",
            season_starts_on=today + timedelta(days=20),
            season_ends_on=today + timedelta(days=140),
            currency="THB",
            items=[
                PlanItemCreate(crop="kale", unit=Unit.bunch, max_quantity="1500", **window),
                PlanItemCreate(crop="chinese cabbage", unit=Unit.kg, max_quantity="900", **window),
            ],
        ),
    )
    kale, cabbage = [item.id for item in plan.items]
    agreement = await agreements.propose(
        session,
        mai,
        AgreementCreate(
            production_plan_id=plan.id,
            consumer_group_id=consumers.id,
            shares=10,
            advance_due_on=today + timedelta(days=15),
            distribution_mode="consumers_collect",
            items=[
                TermsItem(plan_item_id=kale, quantity="600", unit_price="20.00"),
                TermsItem(plan_item_id=cabbage, quantity="300", unit_price="30.00"),
            ],
        ),
    )
    await agreements.accept_version(session, farmer, agreement_id=agreement.id, version=1)
    await _subscribe_and_pay(session, agreement.id, consumers.households[:6], shares=[2, 1, 1, 1, 1, 1])
    # 7 shares of 2,100.00 paid; the group forwards 12,600.00. The farmers keep 2,100.00 for the seed they
    # bought, so 10,500.00 and the 2,100.00 the group still holds go back: 6/7 of what each household paid.
    await _pay_producer(session, mai, agreement.id, "12600.00")
    proposal = await cancellations.propose(
        session,
        farmer,
        agreement_id=agreement.id,
        data=CancellationCreate(refund_amount="10500.00", currency="THB"),
    )
    await cancellations.approve(session, mai, agreement_id=agreement.id, cancellation_id=proposal.id)
    await cancellations.approve(session, co_coordinator, agreement_id=agreement.id, cancellation_id=proposal.id)


async def _season_being_paid(session: AsyncSession, consumers: BuiltGroup, farmers: BuiltGroup) -> None:
    """Next dry season's box, agreed and half paid: some households paid by PromptPay as they subscribed, one
    paid half, and the treasurer imported the bank statement: three transfers quoting their references were
    matched and confirmed, one naming its sender but no reference waits as a suggestion, and the bank's
    interest waits unmatched. A household that paid too much keeps the rest as credit."""
    today = datetime.now(UTC).date()
    farmer, mai = farmers.coordinators[0], consumers.coordinators[0]
    window = {"harvest_from": today + timedelta(days=50), "harvest_to": today + timedelta(days=160)}
    plan = await _published_plan(
        session,
        farmer,
        farmers,
        PlanCreate(
            season_name=f"Dry season {today.year + 1}",
            season_starts_on=today + timedelta(days=30),
            season_ends_on=today + timedelta(days=170),
            currency="THB",
            items=[
                PlanItemCreate(crop="rice", variety="Riceberry", unit=Unit.kg, max_quantity="2000", **window),
                PlanItemCreate(crop="long beans", unit=Unit.bunch, max_quantity="1500", **window),
            ],
        ),
    )
    rice, beans = [item.id for item in plan.items]
    agreement = await agreements.propose(
        session,
        mai,
        AgreementCreate(
            production_plan_id=plan.id,
            consumer_group_id=consumers.id,
            shares=18,
            advance_due_on=today + timedelta(days=21),
            distribution_mode="consumers_collect",
            items=[
                TermsItem(plan_item_id=rice, quantity="900", unit_price="50.00"),
                TermsItem(plan_item_id=beans, quantity="540", unit_price="20.00"),
            ],
        ),
    )
    await agreements.accept_version(session, farmer, agreement_id=agreement.id, version=1)
    subscribed = consumers.households[:12]
    dues = {}
    for household_id, member in subscribed:
        subscription = await subscriptions.subscribe(
            session, member, agreement_id=agreement.id, household_id=household_id, shares=1
        )
        dues[household_id] = subscription.amount_due  # 3,100.00 a share
    for household_id, member in subscribed[:5]:
        await _pay(session, member, agreement.id, household_id, dues[household_id], method="promptpay")
    half = money.to_text(money.to_minor(dues[subscribed[5][0]], "THB") // 2, "THB")
    await _pay(session, subscribed[5][1], agreement.id, subscribed[5][0], half, method="cash")
    await _imported_statement(session, mai, consumers, agreement.id, subscribed[6:10], dues)
    # Paid 3,150.00 for 3,100.00: the treasurer keeps the 50.00 as the household's credit.
    household_id, _ = subscribed[10]
    await payments.record_payment(
        session,
        mai,
        agreement_id=agreement.id,
        payment=PaymentCreate(
            kind=PaymentKind.household_to_group,
            household_id=household_id,
            amount="3150.00",
            currency="THB",
            method="cash",
            excess=ExcessPayment.credit,
        ),
    )


async def _imported_statement(
    session: AsyncSession,
    treasurer: Principal,
    consumers: BuiltGroup,
    agreement_id: UUID,
    payers: list[tuple[UUID, Principal]],
    dues: dict[UUID, str],
) -> None:
    """The group's bank export, read by the column mapping the treasurer saved once."""
    await statements.save_mapping(
        session,
        treasurer,
        payee_kind=PayeeKind.consumer_group,
        payee_id=consumers.id,
        mapping=CsvMappingWrite(
            date_column="Date",
            amount_column="Amount",
            currency="THB",
            payer_name_column="From",
            description_column="Note",
            bank_id_column="Ref",
        ),
    )
    named_id, named_member = payers[3]
    # The sender is found by the household's name, as the bank shows it; the household renamed itself.
    await groups.update_household(
        session, named_member, household_id=named_id, changes=HouseholdUpdate(name="Srisuk family"), if_match=None
    )
    day = datetime.now(UTC).date().isoformat()
    rows = ["Date,Amount,From,Note,Ref"]
    for number, (household_id, _) in enumerate(payers[:3], start=1):
        reference = await collection.reference_for(session, agreement_id, PayerKind.household, household_id)
        rows.append(f"{day},{dues[household_id]},Member {number + 6},Dry season box {reference},KB{number:04}")
    rows.append(f"{day},{dues[named_id]},SRISUK FAMILY,vegetable box,KB0004")
    rows.append(f"{day},12.40,,Interest credited,KB0005")
    rows.append(f"{day},-30.00,,Account fee,KB0006")
    imported = await statements.import_statement(
        session,
        treasurer,
        payee_kind=PayeeKind.consumer_group,
        payee_id=consumers.id,
        content="\r\n".join(rows).encode(),
        statement_format=StatementFormat.csv,
        file_name="kbank-statement.csv",
    )
    await statements.confirm_matched(session, treasurer, import_id=imported.id)


async def _pay(
    session: AsyncSession, member: Principal, agreement_id: UUID, household_id: UUID, amount: str, *, method: str
) -> None:
    await payments.record_payment(
        session,
        member,
        agreement_id=agreement_id,
        payment=PaymentCreate(
            kind=PaymentKind.household_to_group,
            household_id=household_id,
            amount=amount,
            currency="THB",
            method=method,
        ),
    )


async def _rotation_by_motion(session: AsyncSession, consumers: BuiltGroup) -> None:
    """Roles rotate: a third member is appointed, and a motion the group's two approvals carry ends the
    second coordinator's term after two seasons."""
    mai, outgoing = consumers.coordinators[:2]
    _, incoming = consumers.households[2]
    await groups.appoint_coordinator(session, mai, group_id=consumers.id, user_id=incoming.user_id)
    moved = await motions.move(
        session, mai, group_id=consumers.id, data=EndTermMotionCreate(kind="end_term", user_id=outgoing.user_id)
    )
    await approve_motion(session, incoming, motion_id=moved.id)
    consumers.coordinators[1:] = [incoming]


async def _published_plan(
    session: AsyncSession, farmer: Principal, farmers: BuiltGroup, data: PlanCreate
) -> ProductionPlan:
    plan = await plans.create_plan(session, farmer, producer_group_id=farmers.id, data=data)
    await plans.publish_plan(session, farmer, plan.id)
    return plan


async def _subscribe_and_pay(
    session: AsyncSession, agreement_id: UUID, households: list[tuple[UUID, Principal]], *, shares: list[int]
) -> None:
    """Each household takes its shares and pays them in full."""
    for (household_id, member), count in zip(households, shares, strict=True):
        subscription = await subscriptions.subscribe(
            session, member, agreement_id=agreement_id, household_id=household_id, shares=count
        )
        await _pay(session, member, agreement_id, household_id, subscription.amount_due, method="promptpay")


async def _pay_producer(session: AsyncSession, coordinator: Principal, agreement_id: UUID, amount: str) -> None:
    await payments.record_payment(
        session,
        coordinator,
        agreement_id=agreement_id,
        payment=PaymentCreate(
            kind=PaymentKind.group_to_producer,
            amount=amount,
            currency="THB",
            method="bank_transfer",
            reference="KBank 2026-0412",
        ),
    )


async def _catalogue(session: AsyncSession, password_hash: str) -> dict[str, tuple[UUID, Principal]]:
    """The catalogue; returns each trading organisation by key, with its owner."""
    admin = await _user(session, "admin", "Catalogue administrator", password_hash)
    (await session.get_one(User, admin.user_id)).is_admin = True
    keys = [seller.key for seller in demo_catalogue.SELLERS] + [key for key, *_ in demo_catalogue.BUYERS]
    owners = {key: await _user(session, key, key.title(), password_hash) for key in keys}
    organisations = await demo_catalogue.load(session, admin, owners)
    return {key: (organisation.id, owners[key]) for key, organisation in organisations.items()}


async def _networks(
    session: AsyncSession,
    consumers: list[BuiltGroup],
    farmers: list[BuiltGroup],
    organisations: dict[str, tuple[UUID, Principal]],
    password_hash: str,
) -> None:
    """National CSA networks in Thailand and Viet Nam, each monitoring three enterprises of its country, which
    consented by their own quorum; a season of indicators computed; households pledged to the registry; a
    farm school the Thai network held, with its attendance."""
    thai = await _network(session, "ploy", "Thai CSA Network", "TH", password_hash)
    vietnamese = await _network(session, "hoa", "Viet Nam PGS and CSA Network", "VN", password_hash)
    chiang_mai, hanoi = consumers[0], consumers[1]
    mae_taeng, ba_vi = farmers[0], farmers[1]
    for network, enterprises in (
        (
            thai,
            [
                (CbeKind.consumer_group, chiang_mai.id, chiang_mai.coordinators),
                (CbeKind.producer_group, mae_taeng.id, mae_taeng.coordinators),
                (CbeKind.trading_organisation, organisations["surin"][0], [organisations["surin"][1]]),
            ],
        ),
        (
            vietnamese,
            [
                (CbeKind.consumer_group, hanoi.id, hanoi.coordinators),
                (CbeKind.producer_group, ba_vi.id, ba_vi.coordinators),
                (CbeKind.trading_organisation, organisations["daklak"][0], [organisations["daklak"][1]]),
            ],
        ),
    ):
        for kind, cbe_id, consenting in enterprises:
            enrolment = await networks.propose_enrolment(
                session,
                network.coordinator,
                programme_id=network.programme_id,
                data=EnrolmentCreate(cbe_kind=kind, cbe_id=cbe_id),
            )
            for coordinator in consenting:
                await networks.consent(session, coordinator, enrolment_id=enrolment.id)
    await _farm_school(session, thai, chiang_mai)
    for group, country, count in ((chiang_mai, "TH", 12), (hanoi, "VN", 6)):
        for household_id, member in group.households[:count]:
            await registry.pledge(
                session,
                member,
                household_id=household_id,
                data=PledgeCreate(consent=True, consent_text_version="2026-01", country=country),
            )
    await indicators.refresh(session)


@dataclass(frozen=True)
class BuiltNetwork:
    id: UUID
    coordinator: Principal
    programme_id: UUID


async def _network(session: AsyncSession, local_part: str, name: str, country: str, password_hash: str) -> BuiltNetwork:
    coordinator = await _user(session, local_part, local_part.title(), password_hash)
    network = await networks.create_network(
        session, coordinator, NetworkCreate(kind=NetworkKind.csa_network, name=name, country=country)
    )
    today = datetime.now(UTC).date()
    programme = await networks.create_programme(
        session,
        coordinator,
        network_id=network.id,
        data=ProgrammeCreate(name=f"Community-based enterprises {today.year}", starts_on=date(today.year, 1, 1)),
    )
    return BuiltNetwork(id=network.id, coordinator=coordinator, programme_id=programme.id)


async def _farm_school(session: AsyncSession, network: BuiltNetwork, consumers: BuiltGroup) -> None:
    """Held five days ago: members of Chiang Mai's households signed up beforehand, and the network recorded
    who came."""
    import time_machine  # a development dependency, like the demo itself

    starts = datetime.combine(datetime.now(UTC).date() - timedelta(days=5), time(9, 0), tzinfo=UTC)
    with time_machine.travel(starts - timedelta(days=7), tick=True):
        event = await learning.host_event(
            session,
            network.coordinator,
            LearningEventCreate(
                title="Farm school: seed saving for rice and vegetables",
                description="A morning in the fields of Mae Taeng, for members of any group.",
                starts_at=starts,
                ends_at=starts + timedelta(hours=4),
                location="Mae Taeng",
                country="TH",
                language="th",
                capacity=30,
                network_id=network.id,
            ),
        )
        signups = [
            await learning.sign_up(session, member, learning_event_id=event.id, household_id=household_id)
            for household_id, member in consumers.households[:6]
        ]
    for signup in signups[:5]:
        await learning.record_attendance(
            session, network.coordinator, learning_event_id=event.id, signup_id=signup.id, attended=True
        )


async def main() -> None:
    engine = create_engine(get_settings().database_url)
    session_factory: async_sessionmaker[AsyncSession] = create_session_factory(engine)
    async with session_factory.begin() as session:
        loaded = await load(session)
    await engine.dispose()
    print("Demo data loaded." if loaded else "Demo data is there already.")


if __name__ == "__main__":
    asyncio.run(main())

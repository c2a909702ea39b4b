"""The /v1 router: the one module that knows every domain's routes."""

from fastapi import APIRouter

from app.accounts.router import router as accounts_router
from app.agreements.router import router as agreements_router
from app.catalogue.router import organisations_router as catalogue_organisations_router
from app.catalogue.router import products_router as catalogue_products_router
from app.catalogue.router import rates_router as catalogue_rates_router
from app.gatherings.router import messages_router as gatherings_messages_router
from app.gatherings.router import router as gatherings_router
from app.groups.router import households_router
from app.groups.router import router as groups_router
from app.harvests.router import router as harvests_router
from app.payments.router import router as payments_router
from app.plans.router import router as plans_router
from app.producers.router import router as producers_router
from app.trade.router import router as trade_router

router = APIRouter(prefix="/v1")
router.include_router(accounts_router)
router.include_router(households_router)
router.include_router(groups_router)
router.include_router(producers_router)
router.include_router(plans_router)
router.include_router(agreements_router)
router.include_router(gatherings_router)
router.include_router(gatherings_messages_router)
router.include_router(harvests_router)
router.include_router(payments_router)
router.include_router(catalogue_organisations_router)
router.include_router(catalogue_products_router)
router.include_router(catalogue_rates_router)
router.include_router(trade_router)

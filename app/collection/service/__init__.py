"""Collection accounts (`accounts`), payment references and payment instructions (`instructions`)."""

from app.collection.service.accounts import (
    approve_account,
    create_account,
    get_account,
    list_accounts,
    propose_default,
    retire_account,
    update_account,
)
from app.collection.service.instructions import (
    PNG_MEDIA_TYPE,
    SVG_MEDIA_TYPE,
    agreement_instructions,
    qr_image,
    reference_for,
    render_qr,
    subscription_instructions,
)

__all__ = [
    "PNG_MEDIA_TYPE",
    "SVG_MEDIA_TYPE",
    "agreement_instructions",
    "approve_account",
    "create_account",
    "get_account",
    "list_accounts",
    "propose_default",
    "qr_image",
    "reference_for",
    "render_qr",
    "retire_account",
    "subscription_instructions",
    "update_account",
]

"""Trade orders: placing them, their transitions, their money through the ledger, and reading them."""

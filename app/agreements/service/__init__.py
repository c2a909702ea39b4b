"""Agreements: negotiation in versions, the lifecycle of their status, households' subscriptions,
reading, and the messages between the two groups (principles 1, 2, 4, 5, 7 and 10)."""

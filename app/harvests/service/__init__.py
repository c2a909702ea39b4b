"""Harvests: deliveries and their allocation, absences, surplus and pickup lists (principles 3 and 6)."""

"""Notifications: each user's feed of what needs them, made from the outbox's events and a daily reminder
job, their read state and preferences, and their e-mail, sent through SMTP from an outbox of its own."""

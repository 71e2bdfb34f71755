"""Delivery: subscriptions, chat delivery settings and the outbox. Tables and queries."""

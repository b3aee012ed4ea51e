"""Notifications to citizens, agencies and the unit: an outbox table and pluggable senders."""

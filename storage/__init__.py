"""Persistence: the database schema, its migrations and the queries on it.

Knows nothing of Telegram.
"""

"""Runtime: what runs the graphs and keeps them going.

The :class:`~wardflow.runtime.workspace.Workspace` (one data home's runs), Ray
workers and their shared slots, schedules and cron, document events and their
ledger, the kill switch, cancel and retry, and the checkpointers (plain and sealed,
SQLite and Postgres).
"""

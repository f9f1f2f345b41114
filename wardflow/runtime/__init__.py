"""Runtime: what runs the graphs and keeps them going.

The :class:`~wardflow.runtime.workspace.Workspace` (one data home's runs), Ray
workers and their shared slots, schedules, document events and their ledger,
cancelling runs, and the checkpointers (plain and sealed, SQLite and Postgres).
"""

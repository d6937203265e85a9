"""Backups and restores: `backups` makes and restores them, `archive` is the file, `databases`
the two engines, `tasks` the worker's daily backup.

A Django app only so that its periodic task is registered (BackupConfig.ready): this module
imports nothing, since Django imports it before any model is ready.
"""

"""The AWS side: moto in its own process, tables from resources:, the role enforced, snapshots.

Uses config values; nothing of the gateway or the runtime."""

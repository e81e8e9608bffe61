"""Lambda execution environments: processes speaking the Runtime API, the in-process runner, logs.

Uses config values; nothing of HTTP routing. Reaches AWS (moto) only through environment
variables it gives the handlers."""

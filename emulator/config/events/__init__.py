"""The events of functions, one reader module per kind, registered in `table.KINDS`.

A kind's reader turns one entry of a function's `events:` into a frozen value (a route, a
mapping, a schedule); the loader walks every event once and asks the table's row for its
kind (emulator/config/events/table.py). Runners (pollers, timers) live in emulator/sources/.
"""

"""What runs a function's non-HTTP events while the emulator runs: pollers and timers.

One runner module per kind (sqs.py, schedule.py, ...), registered in `table.RUNNERS`; the
event each builds is a pure function beside it (sqs_event.py, ...). `running.EventSources`
starts them, swaps them on a hot reload, and stops them.
"""

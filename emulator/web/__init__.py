"""--web: the sample web page on its own origin beside the emulated API (site.py), its
config.json (settings.py), and `python -m emulator web-config` for a deployed stage (stack.py)."""

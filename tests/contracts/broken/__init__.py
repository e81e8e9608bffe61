"""Deliberately broken review handlers: each module breaks one rule of the contract.

The self-test (tests/contracts/test_contracts_selftest.py) copies api/ and this folder next to
a copy of serverless.yml whose functions named in a module's HANDLERS point at it, starts the
real emulator on that, and asserts the contract run reports the bug under the right check.
Each module wraps the real handlers in api.reviews and changes one thing; api/ has no test
switches.
"""

"""A Ctrl-C during the schemathesis run is noticed even when Python drops its KeyboardInterrupt."""

from __future__ import annotations

import os
import signal
import time

import pytest

from contracts.runner import _Interrupts


def _interrupt_self() -> None:
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.05)  # the handler runs at the next bytecode boundary of the main thread


def test_an_interrupt_is_noted_and_still_raises() -> None:
    with pytest.raises(KeyboardInterrupt), _Interrupts() as interrupts:
        _interrupt_self()
    assert interrupts.seen


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_interrupt_python_drops_is_still_noted() -> None:
    class Finalized:
        def __del__(self) -> None:  # a KeyboardInterrupt raised in here is printed, not raised
            _interrupt_self()

    with _Interrupts() as interrupts:
        Finalized()  # collected at once
    assert interrupts.seen


def test_the_previous_handler_is_back_afterwards() -> None:
    before = signal.getsignal(signal.SIGINT)
    with _Interrupts():
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before

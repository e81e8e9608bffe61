"""The function log's REPORT line and the writer that keeps log output off the request path."""

from __future__ import annotations

import io
import logging
import os
import threading
import time

from emulator.runtime import logs


def _writer() -> tuple[logs.DeferredHandler, io.StringIO]:
    out = io.StringIO()
    handler = logs.DeferredHandler(out)
    handler.setFormatter(logging.Formatter("%(message)s"))
    return handler, out


def _logger(handler: logging.Handler, name: str) -> logging.Logger:
    logger = logging.getLogger(f"test.logs.{name}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_records_from_many_threads_are_written_each_whole_and_in_each_threads_order() -> None:
    handler, out = _writer()
    logger = _logger(handler, "order")

    def emit(thread: int) -> None:
        for i in range(200):
            logger.info("t%d line %d", thread, i)

    threads = [threading.Thread(target=emit, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    handler.flush()
    lines = out.getvalue().splitlines()
    assert len(lines) == 800
    for t in range(4):
        assert [line for line in lines if line.startswith(f"t{t} ")] == [
            f"t{t} line {i}" for i in range(200)]
    handler.close()


def test_arguments_are_rendered_by_the_writer_not_the_caller() -> None:
    handler, out = _writer()
    logger = _logger(handler, "lazy")
    rendered_in: list[str] = []

    class Lazy:
        def __str__(self) -> str:
            rendered_in.append(threading.current_thread().name)
            return "lazy"

    logger.info("%s", Lazy())
    handler.flush()
    assert out.getvalue() == "lazy\n"
    assert rendered_in == ["log-writer"]
    handler.close()


def test_close_writes_what_is_still_queued() -> None:
    handler, out = _writer()
    logger = _logger(handler, "close")
    for i in range(50):
        logger.info("line %d", i)
    handler.close()
    assert out.getvalue().splitlines()[-1] == "line 49"


def test_report_reads_the_memory_of_the_process_when_written() -> None:
    report = logs.Report("rid-1", duration_ms=1.234, memory_mb=128, init_ms=None,
                         pid=os.getpid())
    fields = str(report).split("\t")
    assert fields[:4] == ["REPORT RequestId: rid-1", "Duration: 1.23 ms", "Billed Duration: 2 ms",
                          "Memory Size: 128 MB"]
    if logs.max_memory_used_mb(os.getpid()) is not None:  # Linux: /proc
        used = int(fields[4].removeprefix("Max Memory Used: ").removesuffix(" MB"))
        assert used > 0


def test_report_of_a_gone_process_leaves_out_the_memory_field() -> None:
    report = logs.Report("rid-2", duration_ms=0.2, memory_mb=256, init_ms=12.5, pid=2**22 + 7,
                         status="timeout")
    assert str(report) == ("REPORT RequestId: rid-2\tDuration: 0.20 ms\tBilled Duration: 1 ms\t"
                           "Memory Size: 256 MB\tInit Duration: 12.50 ms\tStatus: timeout")


# Issue 29 item 8: one huge line costs linear time and bounded memory, capped like CloudWatch.

class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _pumped(*writes: bytes) -> list[str]:
    """Feed `writes` through an OutputPump on a real pipe; return the logged messages."""
    from emulator.runtime.logs import FUNCTION_LOG, OutputPump

    read_fd, write_fd = os.pipe()
    collected = _Lines()
    FUNCTION_LOG.addHandler(collected)
    level = FUNCTION_LOG.level
    FUNCTION_LOG.setLevel(logging.INFO)
    try:
        pump = OutputPump("fn", os.fdopen(read_fd, "rb"), lambda: "req", "test-pump")
        pump.start()
        with os.fdopen(write_fd, "wb") as pipe:
            for data in writes:
                pipe.write(data)
        pump.join()
    finally:
        FUNCTION_LOG.removeHandler(collected)
        FUNCTION_LOG.setLevel(level)
    return collected.lines


def test_a_huge_line_is_capped_at_cloudwatchs_event_size_in_linear_time() -> None:
    from emulator.runtime.logs import MAX_EVENT_BYTES

    started = time.perf_counter()
    lines = _pumped(b"x" * (60 << 20) + b"\nafter\n")
    took = time.perf_counter() - started
    assert took < 3.0, f"a 60 MB line took {took:.1f} s"
    huge, after = lines
    text = huge.removeprefix("[fn] req ")
    assert text.startswith("x" * 1000)
    kept = len(text) - len(text.lstrip("x"))
    assert kept == MAX_EVENT_BYTES
    assert text[kept:] == f" [line truncated: {(60 << 20) - MAX_EVENT_BYTES} more bytes]"
    assert after == "[fn] req after"


def test_lines_under_the_cap_are_logged_whole_across_reads() -> None:
    line = "é" * 100_000  # 200,000 bytes of UTF-8, split across reads
    assert _pumped(line.encode()[:65_537], line.encode()[65_537:] + b"\nend") == [
        f"[fn] req {line}", "[fn] req end"]

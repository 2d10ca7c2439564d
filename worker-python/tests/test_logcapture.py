"""logcapture: stdout, stderr and logging routed into each call's LogBuffer."""

import io
import logging
import re
import sys
import unittest

from faas_worker import errors, logcapture
from tests import support

TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


class LogBufferTests(unittest.TestCase):
    def test_keeps_everything_under_the_limit(self):
        buffer = logcapture.LogBuffer(limit=100)
        buffer.write("one\n")
        buffer.write("two\n")

        self.assertEqual(buffer.getvalue(), "one\ntwo\n")

    def test_keeps_the_beginning_and_says_how_much_was_dropped(self):
        buffer = logcapture.LogBuffer(limit=10)
        buffer.write("0123456")
        buffer.write("789abcdef")
        buffer.write("more")

        self.assertEqual(buffer.getvalue(),
                         "0123456789\n[faas-worker] log output over 10 bytes: 10 bytes dropped\n")

    def test_limit_counts_utf8_bytes(self):
        buffer = logcapture.LogBuffer(limit=3)
        buffer.write("éé")

        self.assertTrue(buffer.getvalue().startswith("é\n"))
        self.assertIn(": 1 bytes dropped", buffer.getvalue())

    def test_default_limit_is_one_mebibyte(self):
        buffer = logcapture.LogBuffer()
        buffer.write("x" * (1024 * 1024 + 5))

        self.assertIn("over 1048576 bytes: 5 bytes dropped", buffer.getvalue())


class CaptureTests(unittest.TestCase):
    def setUp(self):
        support.isolate_log_capture(self)
        self.real_out, self.real_err = io.StringIO(), io.StringIO()
        sys.stdout, sys.stderr = self.real_out, self.real_err
        logcapture._stdout = logcapture._stderr = None

    def test_captures_print_stderr_and_bytes(self):
        with logcapture.capture("r1") as logs:
            print("hello")
            sys.stderr.write("err\n")
            sys.stdout.buffer.write("bytes é\n".encode())

        self.assertEqual(logs.getvalue(), "hello\nerr\nbytes é\n")
        self.assertEqual(self.real_out.getvalue(), "")

    def test_stream_saved_earlier_still_lands_in_the_current_capture(self):
        with logcapture.capture("load"):
            saved = sys.stdout

        with logcapture.capture("r2") as logs:
            saved.write("via saved\n")

        self.assertEqual(logs.getvalue(), "via saved\n")

    def test_output_outside_a_capture_goes_to_the_real_stream(self):
        with logcapture.capture("r1"):
            pass

        print("between calls")

        self.assertEqual(self.real_out.getvalue(), "between calls\n")

    def test_logging_uses_lambda_format_with_request_id_in_utc(self):
        logcapture.install_logging_handler()
        logger = logging.getLogger("test.logcapture")

        with logcapture.capture("req-42") as logs:
            logger.warning("careful %s", 1)
            logger.info("not shown at the default level")

        self.assertRegex(logs.getvalue(),
                         r"^\[WARNING\]\t" + TIMESTAMP + r"\treq-42\tcareful 1\n$")

    def test_logging_timestamps_are_utc(self):
        logcapture.install_logging_handler()
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "m", None, None)
        record.created = 0.0
        record.msecs = 5

        handler = next(h for h in logging.getLogger().handlers
                       if isinstance(h, logcapture.LambdaLogHandler))

        self.assertIn("1970-01-01T00:00:00.005Z", handler.formatter.format(
            _with_request_id(record)))

    def test_installs_one_root_handler_and_keeps_the_root_level(self):
        level = logging.getLogger().level

        logcapture.install_logging_handler()
        logcapture.install_logging_handler()

        handlers = [h for h in logging.getLogger().handlers
                    if isinstance(h, logcapture.LambdaLogHandler)]
        self.assertEqual(len(handlers), 1)
        self.assertEqual(logging.getLogger().level, level)

    def test_request_id_is_empty_outside_an_invocation(self):
        logcapture.install_logging_handler()

        logging.getLogger("t").error("after")

        self.assertRegex(self.real_out.getvalue(), r"^\[ERROR\]\t" + TIMESTAMP + r"\t\tafter\n$")


class ErrorEntryTests(unittest.TestCase):
    def test_formats_lambda_error_entry_with_cr_and_nbsp(self):
        error = errors.ErrorResult("CustomError", "boom", [
            '  File "/var/task/app.py", line 6, in handler\n    raise CustomError("boom")\n'])

        self.assertEqual(
            logcapture.format_error_entry(error),
            '[ERROR] CustomError: boom\rTraceback (most recent call last):\r'
            '\u00a0\u00a0File "/var/task/app.py", line 6, in handler\r'
            '\u00a0\u00a0\u00a0\u00a0raise CustomError("boom")\n')

    def test_fault_without_stack_still_has_traceback_header(self):
        error = errors.ErrorResult("Runtime.MarshalError", "Unable to marshal response: x", [])

        self.assertEqual(logcapture.format_error_entry(error),
                         "[ERROR] Runtime.MarshalError: Unable to marshal response: x\r"
                         "Traceback (most recent call last):\n")

    def test_init_errors_are_preceded_by_the_lambda_warning(self):
        support.isolate_log_capture(self)
        logcapture.install_logging_handler()
        error = errors.ErrorResult("RuntimeError", "bad", [])

        with logcapture.capture() as logs:
            logcapture.write_error_entry(error, init=True)

        first, second = logs.getvalue().split("\n")[:2]
        self.assertRegex(first, r"^\[WARNING\]\t" + TIMESTAMP + r"\t\t" + re.escape(
            "LAMBDA_WARNING: Unhandled exception. The most likely cause"))
        self.assertEqual(second, "[ERROR] RuntimeError: bad\rTraceback (most recent call last):")


def _with_request_id(record):
    record.aws_request_id = ""
    return record


if __name__ == "__main__":
    unittest.main()

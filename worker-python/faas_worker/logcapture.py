"""Log capture: what a Load or an Invoke prints becomes the `logs` of its reply.

sys.stdout and sys.stderr are replaced (once) by routing streams. While a capture
is active they write into its LogBuffer; otherwise they write to the real streams,
which the silo drains. Routing rather than swapping per call means a stream saved
by module code at import time (`out = sys.stdout`) still lands in the capture.
"""

import contextlib
import logging
import sys
import threading
import time

LOG_LIMIT_BYTES = 1024 * 1024

# awslambdaric's text format; timestamps in UTC whatever TZ says.
LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
LOG_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"

# Lambda's unhandled-error entry: lines joined by \r so it stays one log event,
# leading spaces of the traceback turned into NO-BREAK SPACEs.
_ERROR_LINE_TERMINATOR = "\r"
_ERROR_INDENT = "\u00a0"

INIT_ERROR_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function "
    "code. However, in rare cases, a Lambda runtime update can cause unexpected function "
    "behavior. For functions using managed runtimes, runtime updates can be triggered by a "
    "function change, or can be applied automatically. To determine if the runtime has been "
    "updated, check the runtime version in the INIT_START log entry. If this error correlates "
    "with a change in the runtime version, you may be able to mitigate this error by "
    "temporarily rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)


class LogBuffer:
    """Text sink that keeps the first `limit` bytes and counts what it drops."""

    def __init__(self, limit=LOG_LIMIT_BYTES):
        self._limit = limit
        self._parts = []
        self._size = 0
        self._dropped = 0
        self._lock = threading.Lock()

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not %s" % type(text).__name__)
        data = text.encode("utf-8", "surrogatepass")
        with self._lock:
            room = self._limit - self._size
            if len(data) > room:
                self._dropped += len(data) - max(room, 0)
                data = data[:max(room, 0)]
                text = data.decode("utf-8", "ignore")
            if data:
                self._parts.append(text)
                self._size += len(data)
        return len(text)

    def getvalue(self):
        with self._lock:
            text = "".join(self._parts)
            if self._dropped:
                if text and not text.endswith("\n"):
                    text += "\n"
                text += "[faas-worker] log output over {} bytes: {} bytes dropped\n".format(
                    self._limit, self._dropped)
            return text


class _RoutingBinary:
    """`sys.stdout.buffer` for code that writes bytes."""

    def __init__(self, router):
        self._router = router

    def write(self, data):
        sink = _active
        if sink is None:
            return self._router.real.buffer.write(data)
        sink.write(bytes(data).decode("utf-8", "replace"))
        return len(data)

    def flush(self):
        if _active is None:
            self._router.real.buffer.flush()

    def __getattr__(self, name):
        return getattr(self._router.real.buffer, name)


class _RoutingStream:
    def __init__(self, real):
        self.real = real
        self.buffer = _RoutingBinary(self)

    def write(self, text):
        sink = _active
        if sink is None:
            return self.real.write(text)
        return sink.write(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        if _active is None:
            self.real.flush()

    def __getattr__(self, name):  # encoding, errors, fileno, isatty, ...
        return getattr(self.real, name)


_active = None  # the LogBuffer of the running Load/Invoke, if any
_stdout = None
_stderr = None
_request_id = ""


def real_stderr():
    """The process's own stderr, for worker diagnostics that must not enter a capture."""
    return _stderr.real if _stderr is not None else sys.stderr


def _install_streams():
    global _stdout, _stderr
    if _stdout is None:
        _stdout, _stderr = _RoutingStream(sys.stdout), _RoutingStream(sys.stderr)
    sys.stdout, sys.stderr = _stdout, _stderr


@contextlib.contextmanager
def capture(request_id=""):
    """Route stdout, stderr and logging into a fresh LogBuffer for the block."""
    global _active, _request_id
    _install_streams()
    buffer = LogBuffer()
    _active, _request_id = buffer, request_id
    try:
        yield buffer
    finally:
        _active, _request_id = None, ""


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id
        return True


class LambdaLogHandler(logging.Handler):
    """Writes Lambda-formatted records to whatever sys.stdout is at the time."""

    def emit(self, record):
        try:
            sys.stdout.write(self.format(record))
        except Exception:
            self.handleError(record)


def install_logging_handler():
    """Add the Lambda handler to the root logger, once. The root level is left alone."""
    root = logging.getLogger()
    if any(isinstance(h, LambdaLogHandler) for h in root.handlers):
        return
    formatter = logging.Formatter(LOG_FORMAT, LOG_DATE_FORMAT)
    formatter.converter = time.gmtime
    handler = LambdaLogHandler()
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter())
    root.addHandler(handler)


def _indent(line):
    stripped = line.lstrip(" ")
    return _ERROR_INDENT * (len(line) - len(stripped)) + stripped


def format_error_entry(error):
    """Lambda's `[ERROR] Type: message` log entry for an ErrorResult (awslambdaric log_error)."""
    description = "[ERROR]"
    if error.error_type:
        description += " " + error.error_type
    if error.error_message:
        if error.error_type:
            description += ":"
        description += " " + error.error_message
    lines = [description, "Traceback (most recent call last):"]
    for element in error.stack_trace:
        if element == "":
            lines.append("")
        else:
            lines.extend(_indent(line) for line in element.splitlines())
    return _ERROR_LINE_TERMINATOR.join(lines) + "\n"


def write_error_entry(error, init=False):
    """Log an unhandled error into the current capture; init errors get Lambda's warning first."""
    if init:
        logging.getLogger().warning(INIT_ERROR_WARNING)
    sys.stdout.write(format_error_entry(error))

"""One loaded function and its invocations (awslambdaric handle_event_request)."""

import resource
import time
from dataclasses import dataclass
from typing import Callable, Optional

from . import errors, lifecycle, logcapture, marshalling
from .context import FunctionInfo, LambdaContext, parse_client_context

# Lambda's synchronous response limit, as its error message states it.
MAX_RESPONSE_BYTES = 6291556


@dataclass(frozen=True)
class LoadedFunction:
    handler: Callable
    info: FunctionInfo
    key: tuple  # what makes a second Load "the same function"
    init_duration_ms: float


@dataclass(frozen=True)
class InvokeResult:
    payload: bytes
    error: Optional[errors.ErrorResult]
    logs: str
    duration_ms: float
    max_memory_kb: int
    left_processes: bool = False


def invoke(function, request_id, event, deadline_unix_ms, invoked_function_arn="",
           client_context=""):
    """Run the handler once. Never raises: every outcome is in the InvokeResult."""
    payload, error, duration_ms = b"", None, 0.0
    with logcapture.capture(request_id) as logs:
        try:
            context = LambdaContext(function.info, request_id, deadline_unix_ms,
                                    invoked_function_arn, parse_client_context(client_context))
            decoded = marshalling.unmarshal_event(event)
            start = time.perf_counter()
            try:
                result = function.handler(decoded, context)
            finally:
                duration_ms = (time.perf_counter() - start) * 1000.0
            payload = marshalling.marshal_result(result)
            if len(payload) > MAX_RESPONSE_BYTES:
                payload = b""
                error = errors.ResponseSizeTooLarge(
                    "Response payload size exceeded maximum allowed payload size "
                    "({} bytes).".format(MAX_RESPONSE_BYTES)).result()
        except SystemExit as exc:
            # Lambda: the runtime process exits and the silo reports Runtime.ExitError.
            lifecycle.exit_from_user_code(exc, logs.getvalue())
        except BaseException as exc:
            error = errors.from_exception(exc)
            logcapture.write_error_entry(error)
    return InvokeResult(payload, error, logs.getvalue(), duration_ms, max_memory_kb(),
                        lifecycle.has_child_processes())


def max_memory_kb():
    """Peak resident set size of this process so far, in KiB.

    Read from VmHWM, not getrusage: ru_maxrss survives exec, so a worker forked from the .NET silo would
    report the silo's own peak (about 120 MB) instead of its own."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

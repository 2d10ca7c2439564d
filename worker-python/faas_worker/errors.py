"""The error vocabulary: fixed Runtime.* faults and the shape of user exceptions.

Every failure the worker reports is an ErrorResult {error_type, error_message,
stack_trace}, the same shape awslambdaric's make_error builds. Faults raised by the
worker itself are RuntimeFault subclasses, one per Lambda error type.
"""

import os
import traceback
from dataclasses import dataclass, field
from typing import List

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


@dataclass(frozen=True)
class ErrorResult:
    error_type: str
    error_message: str
    stack_trace: List[str] = field(default_factory=list)


class RuntimeFault(Exception):
    """A platform-level failure with a fixed Lambda error type."""

    error_type = "Runtime.Unknown"

    def __init__(self, message, stack_trace=None):
        super().__init__(message)
        self.message = message
        self.stack_trace = list(stack_trace or [])

    def result(self):
        return ErrorResult(self.error_type, self.message, self.stack_trace)


class MalformedHandlerName(RuntimeFault):
    error_type = "Runtime.MalformedHandlerName"


class BuiltInModuleConflict(RuntimeFault):
    error_type = "Runtime.BuiltInModuleConflict"


class ImportModuleError(RuntimeFault):
    error_type = "Runtime.ImportModuleError"


class UserCodeSyntaxError(RuntimeFault):
    error_type = "Runtime.UserCodeSyntaxError"


class HandlerNotFound(RuntimeFault):
    error_type = "Runtime.HandlerNotFound"


class AlreadyLoaded(RuntimeFault):
    """A Load for a different function reached a worker that already holds one."""

    error_type = "Runtime.AlreadyLoaded"


class NotLoaded(RuntimeFault):
    error_type = "Runtime.NotLoaded"


class UnmarshalError(RuntimeFault):
    error_type = "Runtime.UnmarshalError"


class MarshalError(RuntimeFault):
    error_type = "Runtime.MarshalError"


class LambdaContextUnmarshalError(RuntimeFault):
    error_type = "Runtime.LambdaContextUnmarshalError"


class ResponseSizeTooLarge(RuntimeFault):
    error_type = "Function.ResponseSizeTooLarge"


def _safe_str(value):
    try:
        return str(value)
    except Exception:  # a user __str__ that raises must not break error reporting
        return "<unprintable %s object>" % type(value).__name__


def user_frames(tb):
    """The traceback's frames from the first one outside faas_worker onwards.

    Like awslambdaric, which drops the leading bootstrap.py frames: the user sees
    their own code (and importlib's, for import-time errors), not the worker's.
    """
    frames = traceback.extract_tb(tb)
    for i, frame in enumerate(frames):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return frames[i:]
    return frames


def from_exception(exc):
    """ErrorResult for any exception: RuntimeFaults keep their type, others their class name."""
    if isinstance(exc, RuntimeFault):
        return exc.result()
    stack = traceback.format_list(user_frames(exc.__traceback__))
    return ErrorResult(type(exc).__name__, _safe_str(exc), stack)

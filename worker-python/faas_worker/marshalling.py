"""Event decoding and result encoding, as awslambdaric's LambdaMarshaller does it."""

import decimal
import json
import math
import sys

from .errors import MarshalError, UnmarshalError

# awslambdaric emits non-ASCII raw on python3.12 and escapes it on older runtimes.
_ENSURE_ASCII = sys.version_info < (3, 12)


def unmarshal_event(data):
    """The handler's event: JSON-decoded bytes; an empty body is the event {}."""
    if not data:
        return {}
    try:
        return json.loads(data)
    except Exception as exc:
        raise UnmarshalError("Unable to unmarshal input: {}".format(exc)) from None


def _default(obj):
    # Decimal -> number (awslambdaric writes str(decimal) raw via simplejson). The
    # stdlib encoder cannot emit raw text, so integral values stay exact and the
    # rest go through float.
    if isinstance(obj, decimal.Decimal):
        if obj.is_nan():
            return math.nan
        if obj.is_finite() and obj == obj.to_integral_value():
            return int(obj)
        return float(obj)
    raise TypeError("Object of type {} is not JSON serializable".format(type(obj).__name__))


def marshal_result(result):
    """The reply payload: bytes pass through unchanged, anything else becomes JSON."""
    if isinstance(result, bytes):
        return result
    try:
        return json.dumps(result, default=_default, ensure_ascii=_ENSURE_ASCII).encode("utf-8")
    except Exception as exc:
        raise MarshalError("Unable to marshal response: {}".format(exc)) from None

"""Handler loading: environment, working directory, sys.path, import (awslambdaric _get_handler)."""

import importlib
import os
import sys
from dataclasses import dataclass, field
from typing import Mapping

from . import environment
from .context import FunctionInfo
from .errors import (BuiltInModuleConflict, HandlerNotFound, ImportModuleError,
                     MalformedHandlerName, UserCodeSyntaxError)


@dataclass(frozen=True)
class LoadSpec:
    """The function to load; the fields of the proto's LoadRequest that matter here."""

    code_dir: str
    handler: str
    function_name: str = ""
    function_version: str = ""
    memory_mb: int = 0
    environment: Mapping[str, str] = field(default_factory=dict)
    invoked_function_arn: str = ""
    log_stream_name: str = ""
    region: str = ""


def load_handler(spec, runtime_dir):
    """Import the handler named by spec; returns (handler, FunctionInfo).

    Raises one RuntimeFault subclass per Lambda fault type. Any other exception
    raised while the module body runs propagates unchanged: Lambda reports it under
    its own class name.
    """
    version = spec.function_version or environment.DEFAULT_VERSION
    memory = str(spec.memory_mb if spec.memory_mb > 0 else environment.DEFAULT_MEMORY_MB)
    info = FunctionInfo(
        function_name=spec.function_name,
        function_version=version,
        memory_limit_in_mb=memory,
        log_group_name="/aws/lambda/" + spec.function_name,
        log_stream_name=spec.log_stream_name or environment.default_log_stream_name(version),
        invoked_function_arn=spec.invoked_function_arn,
    )
    # Before the import: module-level code reads these (boto3 clients, config).
    os.environ.update(environment.lambda_environment(
        handler=spec.handler, function_name=info.function_name,
        function_version=info.function_version, memory_mb=info.memory_limit_in_mb,
        region=spec.region, log_stream_name=info.log_stream_name,
        code_dir=spec.code_dir, runtime_dir=runtime_dir,
        user_environment=spec.environment))

    try:
        module_name, function_name = spec.handler.rsplit(".", 1)
    except ValueError as exc:
        raise MalformedHandlerName("Bad handler '{}': {}".format(spec.handler, exc)) from None

    try:
        os.chdir(spec.code_dir)
    except OSError as exc:
        raise ImportModuleError("Unable to import module '{}': {}".format(module_name, exc)) from None
    if spec.code_dir in sys.path:
        sys.path.remove(spec.code_dir)
    sys.path.insert(0, spec.code_dir)
    importlib.invalidate_caches()  # the code may have appeared since a failed attempt

    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise BuiltInModuleConflict(
                "Cannot use built-in module {} as a handler module".format(module_name))
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise ImportModuleError(
            "Unable to import module '{}': {}".format(module_name, exc)) from None
    except SyntaxError as exc:
        trace = ['  File "%s" Line %s\n    %s' % (exc.filename, exc.lineno, exc.text)]
        raise UserCodeSyntaxError(
            "Syntax error in module '{}': {}".format(module_name, exc), trace) from None

    try:
        handler = getattr(module, function_name)
    except AttributeError:
        raise HandlerNotFound(
            "Handler '{}' missing on module '{}'".format(function_name, module_name)) from None
    return handler, info

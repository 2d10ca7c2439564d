"""The faas.worker.v1.Worker gRPC service on a Unix socket.

One function per process, one Load or Invoke at a time (a lock); Health is
answered even while an invocation runs. No RPC raises: every outcome, including a
worker bug, is a reply. InvokeStream is Invoke over one long-lived stream: each
request is answered by Invoke itself, in order.
"""

import functools
import os
import stat
import sys
import threading
import time
from concurrent import futures

import grpc

from . import errors, invocation, lifecycle, loader, logcapture, stubs

stubs.ensure_importable()
from faas.worker.v1 import worker_pb2 as pb, worker_pb2_grpc as pb_grpc  # noqa: E402

MAX_MESSAGE_BYTES = 16 * 1024 * 1024
RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _text(value):
    """Proto strings must be valid UTF-8; user output may hold lone surrogates."""
    return value.encode("utf-8", "replace").decode("utf-8")


def _error_info(error):
    return pb.ErrorInfo(error_type=_text(error.error_type),
                        error_message=_text(error.error_message),
                        stack_trace=[_text(line) for line in error.stack_trace])


def _never_raises(make_failure_reply):
    """A bug in the worker becomes a Runtime.WorkerError reply, not a gRPC error."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, request, context):
            try:
                return method(self, request, context)
            except Exception as exc:  # pragma: no cover - defensive
                error = errors.ErrorResult("Runtime.WorkerError", "{}: {}".format(
                    type(exc).__name__, exc), [])
                return make_failure_reply(_error_info(error))
        return wrapper
    return decorate


def _spec_from(request):
    return loader.LoadSpec(
        code_dir=request.code_dir, handler=request.handler,
        function_name=request.function_name, function_version=request.function_version,
        memory_mb=request.memory_mb, environment=dict(request.environment),
        invoked_function_arn=request.invoked_function_arn,
        log_stream_name=request.log_stream_name, region=request.region)


class WorkerService(pb_grpc.WorkerServicer):
    def __init__(self):
        self._lock = threading.Lock()
        self._function = None  # invocation.LoadedFunction once a Load succeeded

    @_never_raises(lambda error: pb.LoadReply(ok=False, error=error))
    def Load(self, request, context):
        spec = _spec_from(request)
        key = (spec.code_dir, spec.handler, spec.function_name, spec.function_version)
        with self._lock:
            loaded = self._function
            if loaded is not None:
                if loaded.key == key:  # a retried Load: already done
                    return pb.LoadReply(ok=True, init_duration_ms=loaded.init_duration_ms)
                fault = errors.AlreadyLoaded(
                    "Worker already loaded handler '{}' of function '{}'; it cannot also "
                    "load handler '{}' of function '{}'".format(
                        loaded.key[1], loaded.key[2], spec.handler, spec.function_name))
                return pb.LoadReply(ok=False, error=_error_info(fault.result()))

            logcapture.install_logging_handler()
            error = None
            with logcapture.capture() as logs:
                start = time.perf_counter()
                try:
                    handler, info = loader.load_handler(spec, RUNTIME_DIR)
                except SystemExit as exc:
                    lifecycle.exit_from_user_code(exc, logs.getvalue())
                except BaseException as exc:
                    error = errors.from_exception(exc)
                init_duration_ms = (time.perf_counter() - start) * 1000.0
                if error is not None:
                    logcapture.write_error_entry(error, init=True)
            if error is not None:
                return pb.LoadReply(ok=False, error=_error_info(error),
                                    init_duration_ms=init_duration_ms,
                                    logs=_text(logs.getvalue()))
            self._function = invocation.LoadedFunction(handler, info, key, init_duration_ms)
            return pb.LoadReply(ok=True, init_duration_ms=init_duration_ms,
                                logs=_text(logs.getvalue()))

    @_never_raises(lambda error: pb.InvokeReply(
        status=pb.INVOKE_STATUS_FUNCTION_ERROR, error=error))
    def Invoke(self, request, context):
        with self._lock:
            function = self._function
            if function is None:
                fault = errors.NotLoaded("No function is loaded; call Load first")
                return pb.InvokeReply(status=pb.INVOKE_STATUS_NOT_LOADED,
                                      error=_error_info(fault.result()),
                                      max_memory_kb=invocation.max_memory_kb())
            result = invocation.invoke(function, request.request_id, request.event,
                                       request.deadline_unix_ms, request.invoked_function_arn,
                                       request.client_context)
        reply = pb.InvokeReply(logs=_text(result.logs), duration_ms=result.duration_ms,
                               max_memory_kb=result.max_memory_kb,
                               left_processes=result.left_processes)
        if result.error is None:
            reply.status = pb.INVOKE_STATUS_OK
            reply.payload = result.payload
        else:
            reply.status = pb.INVOKE_STATUS_FUNCTION_ERROR
            reply.error.CopyFrom(_error_info(result.error))
        return reply

    def InvokeStream(self, request_iterator, context):
        # Invoke never raises, so every request gets exactly one reply, in order.
        for request in request_iterator:
            yield self.Invoke(request, context)

    @_never_raises(lambda error: pb.HealthReply(pid=os.getpid()))
    def Health(self, request, context):
        function = self._function
        return pb.HealthReply(pid=os.getpid(), loaded=function is not None,
                              function_name=function.info.function_name if function else "")


def _remove_stale_socket(path):
    try:
        if stat.S_ISSOCK(os.lstat(path).st_mode):
            os.unlink(path)
    except FileNotFoundError:
        pass


def serve(socket_path):
    """Start the server on unix:<socket_path>; returns it once it is listening."""
    # An open InvokeStream holds one thread for its whole life: keep enough for it, a
    # unary Load or Invoke, Health, and a stream the silo replaces before the old one ends.
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="rpc"),
        options=[("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                 ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)])
    pb_grpc.add_WorkerServicer_to_server(WorkerService(), server)
    _remove_stale_socket(socket_path)
    if server.add_insecure_port("unix:" + socket_path) == 0:
        raise OSError("cannot listen on unix:" + socket_path)
    server.start()
    try:
        os.chmod(socket_path, 0o600)  # only the silo's user may drive this worker
    except OSError:
        pass
    return server


def run(socket_path, announce):
    """The worker's life once its process is set up: listen, announce, serve until killed.

    Raises if it cannot listen (before announce is called); never returns otherwise.
    Shared by `python3 -m faas_worker` and the zygote's forked workers.
    """
    grpc_server = serve(socket_path)
    lifecycle.handle_termination(grpc_server, socket_path)
    real_stdout = sys.stdout
    announce()
    real_stdout.reconfigure(line_buffering=True)  # later output reaches the silo promptly
    lifecycle.wait_forever()

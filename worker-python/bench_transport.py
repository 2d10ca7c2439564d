#!/usr/bin/python3
"""Round-trip latency of unary Invoke vs InvokeStream against a real worker (not a test).

    /usr/bin/python3 worker-python/bench_transport.py [--n 2000] [--warmup 200] [--zygote]

Starts `python3 -m faas_worker` (or, with --zygote, a zygote and one forked worker),
loads a trivial handler (`return event`), then times N sequential round trips from
this Python client each way after a warm-up, one call in flight at a time: unary
Invoke, and InvokeStream (one stream: send one request, wait for its reply), in 10
interleaved blocks. Prints median, p90, p99 and mean in microseconds, and the handler
time the worker measured.
"""

import argparse
import json
import os
import queue
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "gen")
PYTHON = "/usr/bin/python3"
HANDLER = "def handler(event, context):\n    return event\n"


def percentile(sorted_values, fraction):
    index = min(len(sorted_values) - 1, int(round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def summary(name, seconds, handler_ms):
    us = sorted(s * 1e6 for s in seconds)
    return ("{:<13} n={:<5} median {:7.1f} us   p90 {:7.1f} us   p99 {:7.1f} us   "
            "mean {:7.1f} us   (handler in worker: median {:.1f} us)".format(
                name, len(us), statistics.median(us), percentile(us, 0.90),
                percentile(us, 0.99), statistics.fmean(us),
                statistics.median(handler_ms) * 1000))


def start_worker(tmp, use_zygote):
    """(worker socket, processes to kill, control connection or None)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([HERE, GEN]))
    worker_socket = os.path.join(tmp, "w.sock")
    if not use_zygote:
        proc = subprocess.Popen([PYTHON, "-m", "faas_worker", "--socket", worker_socket],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=tmp)
        line = proc.stdout.readline()
        if not line.startswith(b"FAAS_WORKER_READY"):
            raise SystemExit("worker did not start: {!r}".format(line))
        return worker_socket, [proc.pid], None
    control = os.path.join(tmp, "zygote.sock")
    proc = subprocess.Popen([PYTHON, "-m", "faas_worker.zygote", "--control", control],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=tmp)
    line = proc.stdout.readline()
    if not line.startswith(b"FAAS_ZYGOTE_READY"):
        raise SystemExit("zygote did not start: {!r}".format(line))
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(control)
    conn.sendall((json.dumps({"socket": worker_socket}) + "\n").encode())
    ready = json.loads(conn.makefile("rb").readline())
    if not ready.get("ready"):
        raise SystemExit("fork failed: {!r}".format(ready))
    return worker_socket, [ready["pid"], proc.pid], conn


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--zygote", action="store_true", help="time a worker forked by a zygote")
    args = parser.parse_args()

    subprocess.run([os.path.join(HERE, "generate_protos.sh"), GEN], check=True)
    sys.path[:0] = [HERE, GEN]
    import grpc
    from faas.worker.v1 import worker_pb2 as pb, worker_pb2_grpc as pb_grpc

    tmp = tempfile.mkdtemp(prefix="faas-bench-")
    pids, channel = [], None
    try:
        code_dir = os.path.join(tmp, "code")
        os.mkdir(code_dir)
        with open(os.path.join(code_dir, "trivial.py"), "w") as f:
            f.write(HANDLER)
        worker_socket, pids, _conn = start_worker(tmp, args.zygote)
        channel = grpc.insecure_channel("unix:" + worker_socket)
        stub = pb_grpc.WorkerStub(channel)
        load = stub.Load(pb.LoadRequest(code_dir=code_dir, handler="trivial.handler",
                                        function_name="bench"), timeout=10)
        if not load.ok:
            raise SystemExit("load failed: {}".format(load.error))

        deadline = int(time.time() * 1000) + 3600 * 1000
        request = pb.InvokeRequest(request_id="req", event=b'{"k": "v"}',
                                   deadline_unix_ms=deadline)
        outbox = queue.Queue()
        replies = stub.InvokeStream(iter(outbox.get, None))

        def over_stream(request):
            outbox.put(request)
            return next(replies)

        def unary(request):
            return stub.Invoke(request, timeout=10)

        def timed(call, count, into):
            for _ in range(count):
                start = time.perf_counter()
                reply = call(request)
                elapsed = time.perf_counter() - start
                if reply.status != pb.INVOKE_STATUS_OK:
                    raise SystemExit("invoke failed: {}".format(reply))
                if into is not None:
                    into[0].append(elapsed)
                    into[1].append(reply.duration_ms)

        timed(unary, args.warmup, None)
        timed(over_stream, args.warmup, None)
        # Interleaved blocks, alternating which goes first, so drift in the machine's
        # load hits both alike.
        results = {unary: ([], []), over_stream: ([], [])}
        rounds = 10
        for i in range(rounds):
            order = (unary, over_stream) if i % 2 == 0 else (over_stream, unary)
            for call in order:
                timed(call, args.n // rounds, results[call])
        outbox.put(None)
        for _ in replies:
            pass

        print("worker: {} (pid {}), Python client, grpcio {}, one call in flight".format(
            "forked by a zygote" if args.zygote else "spawned", pids[0], grpc.__version__))
        print(summary("Invoke", *results[unary]))
        print(summary("InvokeStream", *results[over_stream]))
    finally:
        if channel is not None:
            channel.close()
        for pid in pids:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

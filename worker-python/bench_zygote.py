#!/usr/bin/python3
"""Cold-start cost of a forked worker vs a spawned one (not a test).

    /usr/bin/python3 worker-python/bench_zygote.py [--forks 50] [--spawns 10] [--idle 10]

1. Start latency: for each of --forks forks (after 5 warm-up forks), the time from
   connecting to the zygote and sending the request to the `ready` line, and to the
   first Health reply over a fresh channel from this Python client. The same for
   --spawns spawned workers (`python3 -m faas_worker`, Popen to FAAS_WORKER_READY).
2. Memory: PSS/USS/RSS (/proc/PID/smaps_rollup) of an idle worker after Load of a
   trivial handler and one Invoke: spawned alone; forked, with only the zygote as a
   sharer; forked, with --idle forked siblings alive (the figure per worker then).
Each worker is killed before the next is started, except in the siblings test.
"""

import argparse
import json
import os
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


def smaps_rollup_kb(pid):
    fields = {}
    with open("/proc/{}/smaps_rollup".format(pid)) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1])
    fields["USS"] = fields["Private_Clean"] + fields["Private_Dirty"]
    return fields


def describe_ms(values):
    values = sorted(values)
    return "median {:6.2f} ms  min {:6.2f}  p90 {:6.2f}  max {:6.2f}  (n={})".format(
        statistics.median(values), values[0], values[int(0.9 * (len(values) - 1))],
        values[-1], len(values))


def describe_mem(fields):
    return "PSS {:6.1f} MB  USS {:6.1f} MB  RSS {:6.1f} MB".format(
        fields["Pss"] / 1024, fields["USS"] / 1024, fields["Rss"] / 1024)


class Bench:
    def __init__(self, tmp):
        sys.path[:0] = [HERE, GEN]
        import grpc
        from faas.worker.v1 import worker_pb2, worker_pb2_grpc
        self.grpc, self.pb, self.pb_grpc = grpc, worker_pb2, worker_pb2_grpc
        self.tmp = tmp
        self.env = dict(os.environ, PYTHONPATH=os.pathsep.join([HERE, GEN]))
        self.code_dir = os.path.join(tmp, "code")
        os.mkdir(self.code_dir)
        with open(os.path.join(self.code_dir, "trivial.py"), "w") as f:
            f.write(HANDLER)
        self.count = 0
        self.pids = []
        self.control = os.path.join(tmp, "zygote.sock")
        self.zygote = subprocess.Popen(
            [PYTHON, "-m", "faas_worker.zygote", "--control", self.control],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=self.env, cwd=tmp)
        self.pids.append(self.zygote.pid)
        line = self.zygote.stdout.readline()
        if not line.startswith(b"FAAS_ZYGOTE_READY"):
            raise SystemExit("zygote did not start: {!r}".format(line))

    def socket_path(self):
        self.count += 1
        return os.path.join(self.tmp, "w{}.sock".format(self.count))

    def health(self, path):
        channel = self.grpc.insecure_channel("unix:" + path)
        stub = self.pb_grpc.WorkerStub(channel)
        reply = stub.Health(self.pb.HealthRequest(), timeout=10)
        return channel, stub, reply

    def fork(self):
        """(pid, control connection, ms to ready, ms to first Health reply, channel, stub)."""
        path = self.socket_path()
        start = time.perf_counter()
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(self.control)
        conn.sendall((json.dumps({"socket": path}) + "\n").encode())
        reader = conn.makefile("rb")
        ready = json.loads(reader.readline())
        ready_at = time.perf_counter()
        channel, stub, _ = self.health(path)
        health_at = time.perf_counter()
        if not ready.get("ready"):
            raise SystemExit("fork failed: {!r}".format(ready))
        self.pids.append(ready["pid"])
        return (ready["pid"], (conn, reader), (ready_at - start) * 1000,
                (health_at - start) * 1000, channel, stub)

    def spawn(self):
        path = self.socket_path()
        start = time.perf_counter()
        proc = subprocess.Popen([PYTHON, "-m", "faas_worker", "--socket", path],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                env=self.env, cwd=self.tmp)
        self.pids.append(proc.pid)
        proc.stdout.readline()
        ready_at = time.perf_counter()
        channel, stub, _ = self.health(path)
        health_at = time.perf_counter()
        return (proc.pid, proc, (ready_at - start) * 1000, (health_at - start) * 1000,
                channel, stub)

    def load_and_invoke(self, stub):
        load = stub.Load(self.pb.LoadRequest(code_dir=self.code_dir, handler="trivial.handler",
                                             function_name="bench"), timeout=10)
        assert load.ok, load
        reply = stub.Invoke(self.pb.InvokeRequest(request_id="r", event=b"{}",
                                                  deadline_unix_ms=int(time.time() * 1000)
                                                  + 60000), timeout=10)
        assert reply.status == self.pb.INVOKE_STATUS_OK, reply

    def kill(self, pid, handle, channel):
        channel.close()
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        if isinstance(handle, subprocess.Popen):
            handle.wait()
            handle.stdin.close()
            handle.stdout.close()
        else:
            conn, reader = handle
            reader.readline()  # the exit line: reaped
            reader.close()
            conn.close()

    def close(self):
        for pid in reversed(self.pids):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        self.zygote.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forks", type=int, default=50)
    parser.add_argument("--spawns", type=int, default=10)
    parser.add_argument("--idle", type=int, default=10)
    args = parser.parse_args()
    subprocess.run([os.path.join(HERE, "generate_protos.sh"), GEN], check=True)

    tmp = tempfile.mkdtemp(prefix="faas-bench-")
    bench = None
    try:
        bench = Bench(tmp)
        ready, health = [], []
        for i in range(5 + args.forks):
            pid, handle, to_ready, to_health, channel, _ = bench.fork()
            if i >= 5:
                ready.append(to_ready)
                health.append(to_health)
            bench.kill(pid, handle, channel)
        print("forked  request -> ready line      ", describe_ms(ready))
        print("forked  request -> first Health    ", describe_ms(health))

        if args.spawns:
            ready, health = [], []
            for _ in range(args.spawns):
                pid, handle, to_ready, to_health, channel, _ = bench.spawn()
                ready.append(to_ready)
                health.append(to_health)
                bench.kill(pid, handle, channel)
            print("spawned Popen   -> ready line      ", describe_ms(ready))
            print("spawned Popen   -> first Health    ", describe_ms(health))

        settle = 0.5
        pid, handle, _, _, channel, stub = bench.spawn()
        bench.load_and_invoke(stub)
        time.sleep(settle)
        print("spawned worker, idle after Load+Invoke:         ",
              describe_mem(smaps_rollup_kb(pid)))
        bench.kill(pid, handle, channel)

        pid, handle, _, _, channel, stub = bench.fork()
        bench.load_and_invoke(stub)
        time.sleep(settle)
        print("forked worker, alone with the zygote:           ",
              describe_mem(smaps_rollup_kb(pid)))
        bench.kill(pid, handle, channel)

        workers = [bench.fork() for _ in range(args.idle)]
        for worker in workers:
            bench.load_and_invoke(worker[5])
        time.sleep(settle)
        rollups = [smaps_rollup_kb(worker[0]) for worker in workers]
        mean = {key: statistics.fmean(r[key] for r in rollups) for key in ("Pss", "USS", "Rss")}
        print("forked worker, mean of {:2d} idle siblings:        ".format(args.idle),
              describe_mem(mean))
        print("zygote itself (sharing with them):              ",
              describe_mem(smaps_rollup_kb(bench.zygote.pid)))
        for pid, handle, _, _, channel, _ in workers:
            bench.kill(pid, handle, channel)
    finally:
        if bench is not None:
            bench.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

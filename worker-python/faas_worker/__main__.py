"""Entry point: python3 -m faas_worker --socket /path/to/worker.sock [--gen-dir DIR]."""

import argparse
import os
import sys

from . import lifecycle, stubs


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python3 -m faas_worker",
        description="OrleansFaas Python worker: serves faas.worker.v1.Worker on a Unix socket.")
    parser.add_argument("--socket", required=True, help="Unix socket path to listen on")
    parser.add_argument("--gen-dir", help="directory holding the generated faas.worker.v1 "
                        "stubs (default: worker-python/gen)")
    parser.add_argument("--no-pdeathsig", action="store_true",
                        help="do not set PR_SET_PDEATHSIG (for launchers that fork from "
                        "short-lived threads; the stdin watchdog still applies)")
    return parser.parse_args(argv)


def _drop_cwd_from_sys_path():
    # `python -m` puts the launcher's cwd first on sys.path; a stray module there must
    # not shadow the handler's (code_dir goes first at Load).
    if not sys.flags.safe_path and sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    lifecycle.become_group_leader()
    if not args.no_pdeathsig:
        lifecycle.set_parent_death_signal()
    lifecycle.start_stdin_watchdog()
    _drop_cwd_from_sys_path()

    try:
        stubs.ensure_importable(args.gen_dir)
        from . import server
        grpc_server = server.serve(args.socket)
    except Exception as exc:
        sys.stderr.write("faas_worker: {}\n".format(exc))
        sys.stderr.flush()
        return 2

    lifecycle.handle_termination(grpc_server, args.socket)
    real_stdout = sys.stdout
    lifecycle.announce_ready(real_stdout)
    real_stdout.reconfigure(line_buffering=True)  # later output reaches the silo promptly
    lifecycle.wait_forever()


if __name__ == "__main__":
    sys.exit(main())

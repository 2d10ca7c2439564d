"""Entry point: python3 -m faas_worker --socket /path/to/worker.sock [--gen-dir DIR]."""

import argparse
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


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    lifecycle.become_group_leader()
    if not args.no_pdeathsig:
        lifecycle.set_parent_death_signal()
    lifecycle.start_stdin_watchdog()
    lifecycle.drop_cwd_from_sys_path()

    try:
        stubs.ensure_importable(args.gen_dir)
        from . import server
        server.run(args.socket, lambda: lifecycle.announce_ready(sys.stdout))
    except Exception as exc:
        sys.stderr.write("faas_worker: {}\n".format(exc))
        sys.stderr.flush()
        return 2


if __name__ == "__main__":
    sys.exit(main())

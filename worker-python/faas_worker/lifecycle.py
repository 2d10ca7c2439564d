"""Process hygiene: own process group, parent-death handling, SIGTERM, readiness.

The silo owns the worker's lifetime. It kills the worker's process group (which
holds any children a handler forked); the worker also kills that group itself when
the silo goes away, noticed either through PR_SET_PDEATHSIG or through EOF on
stdin, whose write end only the silo holds.
"""

import ctypes
import os
import signal
import sys
import threading

READY_LINE = "FAAS_WORKER_READY pid={pid}"

_PR_SET_PDEATHSIG = 1


def become_group_leader():
    try:
        os.setpgrp()
    except OSError:  # already a session leader; keep going, kill_group() copes
        pass


def _is_group_leader():
    return os.getpgrp() == os.getpid()


def kill_group():
    """SIGKILL our process group (the worker and its children), never the silo's."""
    if _is_group_leader():
        os.killpg(0, signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


_prctl_cache = []


def libc_prctl():
    """libc's prctl, looked up once (a zygote does it before forking), or None."""
    if not _prctl_cache:
        try:
            _prctl_cache.append(ctypes.CDLL(None, use_errno=True).prctl)
        except (OSError, AttributeError):
            _prctl_cache.append(None)
    return _prctl_cache[0]


def set_parent_death_signal(parent=None):
    """Ask the kernel for SIGKILL when our parent goes away.

    Caution: Linux sends it when the parent *thread* that forked us exits, not the
    parent process; a launcher must fork from a long-lived thread (or pass
    --no-pdeathsig and rely on the stdin watchdog). `parent`: the pid the caller
    knows its parent to be (a zygote's child passes the zygote's), else getppid().
    """
    if parent is None:
        parent = os.getppid()
    prctl = libc_prctl()
    if prctl is None:
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # The parent may have died before prctl took effect: we were reparented. (Not
    # "ppid == 1": in a container the silo itself may be PID 1. A death before the
    # first getppid() shows up as EOF on stdin.)
    if os.getppid() != parent:
        os._exit(1)


def drop_cwd_from_sys_path():
    """`python -m` puts the launcher's cwd first on sys.path; a stray module there must
    not shadow the handler's (code_dir goes first at Load)."""
    if not sys.flags.safe_path and sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]


def start_stdin_watchdog():
    """Daemon thread: EOF (or an error) on stdin means the silo is gone; kill the group."""

    def watch():
        while True:
            try:
                data = os.read(0, 65536)
            except OSError:
                data = b""
            if not data:
                kill_group()

    threading.Thread(target=watch, name="stdin-watchdog", daemon=True).start()


def handle_termination(server, socket_path):
    """From now on SIGTERM and SIGINT shut the server down and exit (before READY is sent)."""

    def on_signal(signum, frame):
        shut_down(server, socket_path)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def wait_forever():
    """Park the main thread; signal handlers and the watchdog end the process."""
    while True:
        signal.pause()


def announce_ready(stream):
    stream.write(READY_LINE.format(pid=os.getpid()) + "\n")
    stream.flush()


def shut_down(server, socket_path):
    """Stop serving and exit at once, without waiting for a running handler."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        server.stop(0).wait(1.0)
    finally:
        if _is_group_leader():
            os.killpg(0, signal.SIGTERM)  # children a handler forked
        try:
            os.unlink(socket_path)
        except OSError:
            pass
        os._exit(0)


def exit_from_user_code(exc, logs):
    """User code called sys.exit(): exit the process as Lambda's runtime would.

    The captured output goes to the real stderr so the silo can still log it.
    """
    code = exc.code
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code & 0xFF
    else:
        logs += "{}\n".format(code)
        status = 1
    stderr = sys.__stderr__
    try:
        stderr.write(logs)
        stderr.flush()
    except Exception:
        pass
    os._exit(status)


def has_child_processes():
    """Whether this process has live children (a handler forked and left them running).

    Read from /proc/self/task/*/children, which lists the children of each thread; a child already
    reaped, or a zombie the handler did not wait for, does not count as running."""
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return False
    for task in tasks:
        try:
            with open("/proc/self/task/{}/children".format(task)) as children:
                for pid in children.read().split():
                    if not _is_zombie(pid):
                        return True
        except OSError:
            continue
    return False


def _is_zombie(pid):
    try:
        with open("/proc/{}/stat".format(pid)) as stat:
            text = stat.read()
        return text[text.rindex(")") + 2] in "ZX"
    except (OSError, ValueError, IndexError):
        return True

"""Finds the generated faas.worker.v1 stubs (worker-python/generate_protos.sh)."""

import importlib.util
import os
import sys

DEFAULT_GEN_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "gen")


def _importable():
    try:
        return importlib.util.find_spec("faas.worker.v1.worker_pb2") is not None
    except ImportError:
        return False


def ensure_importable(gen_dir=None):
    """Put the stubs on sys.path: an explicit gen_dir first, else the default if needed."""
    if gen_dir:
        gen_dir = os.path.abspath(gen_dir)
        if gen_dir not in sys.path:
            sys.path.insert(0, gen_dir)
    elif not _importable() and DEFAULT_GEN_DIR not in sys.path:
        sys.path.append(DEFAULT_GEN_DIR)
    if not _importable():
        raise ImportError(
            "faas.worker.v1 stubs not found; run worker-python/generate_protos.sh "
            "or pass --gen-dir")

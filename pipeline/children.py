"""Child processes that die with their parent, however the parent ends.

The local engine's fork server is a child of the run and its workers are children of the fork
server. A run that is killed (SIGKILL, the OOM killer) cannot end them itself, and orphaned
workers each hold a model in memory (gigabytes) forever. So each of these processes asks the
kernel to kill it when its parent goes (Linux ``PR_SET_PDEATHSIG``), or where there is no such
call watches its parent from a thread. Both are set up first thing in the child.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
#: how often the watchdog thread looks for its parent, where the kernel cannot be asked
WATCH_SECONDS = 1.0


def _libc() -> ctypes.CDLL | None:
    """The C library's functions, as linked into Python itself (no search for the library)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


_LIBC = _libc()  # loaded once: the fork server's workers inherit it


def _pdeathsig() -> bool:
    """Ask Linux to SIGKILL this process when its parent exits; False where that cannot be done."""
    try:
        return _LIBC is not None and _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except AttributeError:  # a C library without prctl
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def die_with_parent(parent: int) -> None:
    """End this process when process ``parent`` (its parent now) exits.

    The kernel's death signal fires when the thread that forked this process exits: the fork
    server forks from its main thread, and the run starts the fork server from its main thread.
    The parent may have died before the signal was asked for, so the parent is looked at again.
    """
    if _pdeathsig():
        if os.getppid() != parent:
            os._exit(1)
        return
    threading.Thread(target=_watch, args=(parent,), name="parent-watchdog", daemon=True).start()


_forking_pid = os.getpid()


def _before_fork() -> None:
    global _forking_pid
    _forking_pid = os.getpid()


def _after_fork_in_child() -> None:
    die_with_parent(_forking_pid)


def forks_die_with_this_process() -> None:
    """Every process forked from this one from now on dies with it (the fork server's workers)."""
    os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)

"""Limits for a whole notebook, not per process: cgroups v2 and a size-limited box.

Resource limits (``setrlimit``) hold per process: a notebook that starts four processes
gets four times the memory. Where the machine allows it, each notebook therefore also runs
in a cgroup v2 of its own, whose ``memory.max`` and ``pids.max`` count every process of
the notebook together, and its throwaway folder (the box, where the kernel's sockets live
and where it may write) is a tmpfs of a fixed size, so one notebook cannot fill the disk.

* cgroups v2: needs the unified hierarchy at ``/sys/fs/cgroup`` with the ``memory`` and
  ``pids`` controllers, and the right to create a child group there (root on the host, or
  a delegated subtree). ``available()`` tries it once and says why not.
* tmpfs box: needs root (the ``mount`` system call). Without it the box is an ordinary
  folder under ``$TMPDIR``; each file is still capped (``RLIMIT_FSIZE``) but not their sum.

``crossings course check`` and every ``autograde`` run print which limits are in force.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
MS_NOSUID, MS_NODEV, MNT_DETACH = 2, 4, 2


def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def mount_tmpfs(path: Path, size_mb: int) -> str | None:
    """Mount a tmpfs of ``size_mb`` on ``path``; None when done, else why not."""
    if os.geteuid() != 0:
        return "not root (a tmpfs needs the mount system call)"
    options = f"size={size_mb}m,mode=0700".encode()
    if _libc().mount(b"tmpfs", str(path).encode(), b"tmpfs", MS_NOSUID | MS_NODEV,
                     options) != 0:
        return f"mount failed: {os.strerror(ctypes.get_errno())}"
    return None


def unmount(path: Path) -> None:
    _libc().umount2(str(path).encode(), MNT_DETACH)


@dataclass
class Cgroups:
    """Where notebook cgroups are made (``base``), or why they cannot be (``reason``)."""

    base: Path | None
    reason: str = ""

    @classmethod
    def detect(cls) -> Cgroups:
        controllers = CGROUP_ROOT / "cgroup.controllers"
        if not controllers.is_file():
            return cls(None, "no cgroup v2 hierarchy at /sys/fs/cgroup (cgroup v1 or hybrid)")
        missing = {"memory", "pids"} - set(controllers.read_text().split())
        if missing:
            return cls(None, f"cgroup v2 without the {', '.join(sorted(missing))} controller(s)")
        base = CGROUP_ROOT / f"crossings-grader-{os.getpid()}"
        try:
            control = CGROUP_ROOT / "cgroup.subtree_control"
            if not {"memory", "pids"} <= set(control.read_text().split()):
                control.write_text("+memory +pids")
            base.mkdir(exist_ok=True)
            (base / "cgroup.subtree_control").write_text("+memory +pids")
        except OSError as exc:
            _remove(base)
            return cls(None, f"cgroups are not delegated to this user ({exc.strerror or exc})")
        return cls(base)

    @property
    def active(self) -> bool:
        return self.base is not None

    def new_group(self, memory_mb: int, processes: int) -> Path | None:
        if self.base is None:
            return None
        group = self.base / f"nb-{uuid.uuid4().hex[:12]}"
        try:
            group.mkdir()
            (group / "memory.max").write_text(str(memory_mb * 1024 * 1024))
            if (group / "memory.swap.max").exists():
                (group / "memory.swap.max").write_text("0")
            (group / "pids.max").write_text(str(processes))
        except OSError:
            _remove(group)
            return None
        return group

    def close(self) -> None:
        if self.base is not None:
            _remove(self.base)


def kill_group(group: Path | None) -> None:
    """Kill what is left in a notebook's cgroup, then remove it."""
    if group is None:
        return
    kill = group / "cgroup.kill"
    try:
        if kill.exists():
            kill.write_text("1")
    except OSError:
        pass
    _remove(group)


def _remove(group: Path) -> None:
    for _ in range(50):
        try:
            group.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)


# Run on the host just before bwrap: join the notebook's cgroup, then become bwrap.
JOIN = r"""
import os, sys
with open(sys.argv[1], "w") as procs:
    procs.write(str(os.getpid()))
os.execv(sys.argv[2], sys.argv[2:])
"""

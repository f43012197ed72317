"""Run learner notebooks where they can reach nothing but their own throwaway copy.

A submitted notebook is untrusted code. Each one runs in a fresh Jupyter kernel
started inside a bubblewrap (``bwrap``) sandbox:

* its own mount namespace: only the operating system (``/usr``), the Python
  installation and one throwaway folder ("box", created outside the course
  directory) are visible; the course directory, the gradebook, other learners'
  submissions and the home folder simply do not exist inside; everything but the
  box and a small ``/tmp`` is read-only;
* no network (its own, empty network namespace: loopback only), its own PID and
  IPC namespaces (it cannot see or signal other kernels), a new session;
* an unprivileged user: when the grader runs as root (CI), the kernel drops to
  ``nobody`` (uid 65534) with no capabilities; otherwise bwrap's user namespace
  keeps it at the facilitator's own uid;
* resource limits: address space (memory), CPU seconds, file size, processes,
  a size-limited ``/tmp``; wall-clock time and output size are enforced by the
  trusted parent, which also kills the whole sandbox at the end;
* limits for the whole notebook where the machine allows them (``limits.py``): a
  cgroup v2 per notebook (memory and processes of all its processes together) and a
  size-limited tmpfs as the box.

The parent reads nothing back from the box: the kernel's log goes to a file outside it,
and the executed notebook comes over the kernel's sockets, size-capped.

The parent talks to the kernel through Unix sockets in the box (ZeroMQ ``ipc``
transport), never through the network, and it alone writes grades.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from crossings.grading.limits import JOIN, Cgroups, mount_tmpfs, unmount

NOBODY = 65534
INSTALL_HINT = ("bubblewrap is needed to grade untrusted notebooks safely. Install it with "
                "`sudo apt-get install bubblewrap` (Debian/Ubuntu) or `sudo dnf install bubblewrap` "
                "(Fedora), or run `python3 -m nox -s tests`, which installs it when run as root.")

# Runs inside the sandbox before the kernel: limits, then (as root) drop to the
# unprivileged user, then replace itself with the kernel. Kept inline so that
# nothing from the repository or the course has to be visible inside.
LAUNCHER = r"""
import json, os, resource, sys
limits, uid, gid = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
cwd, argv = sys.argv[4], sys.argv[5:]
for name, value in limits.items():
    resource.setrlimit(getattr(resource, name), (value, value))
if uid >= 0:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() == 0 or os.geteuid() == 0:
        raise SystemExit("sandbox: could not drop root privileges")
os.chdir(cwd)
os.execv(argv[0], argv)
"""


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run on this machine (the message says what to install)."""


@dataclass(frozen=True)
class Limits:
    timeout: float = 60.0        # wall-clock seconds for one whole notebook
    memory_mb: int = 2048        # address space of the kernel (ipykernel itself maps ~0.8 GB)
    output_kb: int = 512         # outputs kept per notebook; the rest is dropped
    tmp_mb: int = 64             # size of the sandbox's /tmp
    box_mb: int = 32             # size of the box (a tmpfs, where the machine allows it)
    file_mb: int = 16            # largest file the kernel may write
    processes: int = 256         # processes and threads of the sandbox user
    startup: float = 60.0        # seconds a kernel may take to start

    def rlimits(self) -> dict[str, int]:
        mib = 1024 * 1024
        return {
            "RLIMIT_AS": self.memory_mb * mib,
            "RLIMIT_CPU": int(self.timeout + self.startup) + 5,
            "RLIMIT_FSIZE": self.file_mb * mib,
            "RLIMIT_NPROC": self.processes,
            "RLIMIT_CORE": 0,
        }


def _python_roots() -> list[Path]:
    """Folders the kernel's Python needs: the interpreter, its stdlib, site-packages."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             str(Path(sys.executable).parent)}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        paths.add(sysconfig.get_paths()[key])
    paths.add(str(Path(os.path.realpath(sys.executable)).parent.parent))
    roots: list[Path] = []
    for p in sorted({Path(os.path.realpath(p)) for p in paths if p} | {Path(p) for p in paths if p},
                    key=lambda p: len(p.parts)):
        if not p.exists() or p == Path("/"):
            continue
        if any(p == r or r in p.parents for r in roots):
            continue
        roots.append(p)
    return roots


# The kernel's sockets are files in the box: "<TMPDIR>/crossings-box-XXXXXXXX/box/kernel-N"
# must fit a Unix socket address (107 bytes on Linux), so TMPDIR may be this long at most.
SOCKET_PATH_MAX = 107
BOX_SUFFIX = len("/crossings-box-XXXXXXXX/box/kernel-65535")
SHORT_TMP = "/tmp"


def box_parent_dir() -> str:
    """Where boxes go: the usual temporary folder, or /tmp when its path is too long for the
    kernel's sockets (a long TMPDIR made every notebook fail with 'File name too long')."""
    usual = tempfile.gettempdir()
    if len(usual) + BOX_SUFFIX <= SOCKET_PATH_MAX:
        return usual
    if os.path.isdir(SHORT_TMP) and os.access(SHORT_TMP, os.W_OK | os.X_OK):
        return SHORT_TMP
    raise SandboxUnavailable(
        f"the temporary folder {usual} is too long ({len(usual)} characters) for the "
        f"kernel's sockets, which live in it; set TMPDIR to a folder of at most "
        f"{SOCKET_PATH_MAX - BOX_SUFFIX} characters, such as /tmp")


SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/nsswitch.conf")


@dataclass
class Sandbox:
    """How to wrap a command so that it runs isolated. ``mode`` is one of
    ``bwrap-root`` (grader is root: kernel drops to ``nobody``), ``bwrap-user``
    (grader is an ordinary user: bwrap's user namespace) or ``none`` (no isolation,
    only when the facilitator asked for it explicitly)."""

    mode: str
    bwrap: str | None = None
    limits: Limits = field(default_factory=Limits)
    hide: tuple[Path, ...] = ()      # folders that must never be visible (the course)
    uid: int = NOBODY
    gid: int = NOBODY
    cgroups: Cgroups = field(default_factory=lambda: Cgroups(None, "not checked"))
    tmpfs_box: str | None = "not checked"     # None: the box is a tmpfs; else why not

    @classmethod
    def detect(cls, limits: Limits | None = None, hide=(), allow_unsandboxed: bool = False
               ) -> Sandbox:
        limits = limits or Limits()
        hide = tuple(Path(h).resolve() for h in hide)
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            if not allow_unsandboxed:
                raise SandboxUnavailable(INSTALL_HINT)
            mode = "none"
        else:
            mode = "bwrap-root" if os.geteuid() == 0 else "bwrap-user"
        sandbox = cls(mode, bwrap, limits, hide, cgroups=Cgroups.detect())
        probe = Path(tempfile.mkdtemp(prefix="crossings-probe-"))
        try:
            sandbox.tmpfs_box = mount_tmpfs(probe, 1)
            if sandbox.tmpfs_box is None:
                unmount(probe)
        finally:
            probe.rmdir()
        return sandbox

    def close(self) -> None:
        self.cgroups.close()

    def limits_in_force(self) -> list[str]:
        """Plain lines: which limits hold for a whole notebook and which only per process."""
        lim = self.limits
        lines = [f"per process: memory {lim.memory_mb} MB, files up to {lim.file_mb} MB each, "
                 f"{lim.processes} processes, CPU {int(lim.timeout + lim.startup) + 5} s"]
        if self.cgroups.active:
            lines.append(f"per notebook (cgroup v2): memory {lim.memory_mb} MB and "
                         f"{lim.processes} processes for all its processes together")
        else:
            lines.append(f"NOT per notebook: no cgroup v2 ({self.cgroups.reason}); several "
                         "processes of one notebook may each use the per-process limits")
        lines.append(f"per notebook: wall-clock {lim.timeout:g} s, output {lim.output_kb} kB, "
                     f"/tmp {lim.tmp_mb} MB (tmpfs)")
        if self.tmpfs_box is None:
            lines.append(f"per notebook: its folder is a {lim.box_mb} MB tmpfs")
        else:
            lines.append(f"NOT capped in total: its folder is on disk ({self.tmpfs_box}); "
                         f"only each file is capped at {lim.file_mb} MB")
        return lines

    @property
    def isolated(self) -> bool:
        return self.mode != "none"

    def describe(self) -> str:
        if self.mode == "bwrap-root":
            return (f"bubblewrap ({self.bwrap}); kernels run as uid {self.uid} without network, "
                    f"memory {self.limits.memory_mb} MB, timeout {self.limits.timeout:g} s")
        if self.mode == "bwrap-user":
            return (f"bubblewrap ({self.bwrap}) in a user namespace; no network, "
                    f"memory {self.limits.memory_mb} MB, timeout {self.limits.timeout:g} s")
        return "NO SANDBOX: learner code runs with your own rights (--no-sandbox)"

    # -- the box -----------------------------------------------------------------
    def new_box(self) -> Path:
        """A fresh throwaway folder outside the course, writable by the kernel only."""
        parent = Path(tempfile.mkdtemp(prefix="crossings-box-", dir=box_parent_dir()))
        box = parent / "box"
        box.mkdir(mode=0o700)
        if self.tmpfs_box is None and mount_tmpfs(box, self.limits.box_mb) is None:
            (parent / "mounted").touch()
        if self.mode == "bwrap-root":
            os.chown(box, self.uid, self.gid)
        for hidden in self.hide:
            if box == hidden or hidden in box.parents:
                shutil.rmtree(parent)
                raise SandboxUnavailable(f"the temporary folder {box} lies inside {hidden}; "
                                         "set TMPDIR to a folder outside the course directory")
        return box

    def give(self, box: Path, path: Path) -> None:
        """Make a file the parent wrote in the box readable by the sandbox user."""
        if self.mode == "bwrap-root":
            os.chown(path, self.uid, self.gid)

    @staticmethod
    def remove_box(box: Path) -> None:
        """Remove a box whatever the kernel left in it (links, pipes, locked folders)."""
        if (box.parent / "mounted").exists():
            unmount(box)

        def unlock(func, path, _exc):
            try:
                os.chmod(os.path.dirname(path), 0o700)
                if os.path.isdir(path) and not os.path.islink(path):
                    os.chmod(path, 0o700)
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.unlink(path)
            except OSError:
                pass

        shutil.rmtree(box.parent, onerror=unlock)

    # -- the command -------------------------------------------------------------
    def command(self, box: Path, argv: list[str], cwd: Path | None = None,
                group: Path | None = None) -> list[str]:
        """``argv`` wrapped so that it runs inside the sandbox with ``box`` writable (and,
        with ``group``, inside that cgroup: joined on the host just before bwrap starts)."""
        joined = self._command(box, argv, cwd)
        if group is not None:
            return [sys.executable, "-I", "-c", JOIN, str(group / "cgroup.procs"), *joined]
        return joined

    def _command(self, box: Path, argv: list[str], cwd: Path | None = None) -> list[str]:
        cwd = cwd or box
        limits = self.limits.rlimits()
        if self.mode == "none":     # no isolation: still the limits and a throwaway folder
            return [sys.executable, "-I", "-c", LAUNCHER, json.dumps(limits), "-1", "-1",
                    str(box), *argv]
        uid, gid = (self.uid, self.gid) if self.mode == "bwrap-root" else (-1, -1)
        args = [self.bwrap, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup-try", "--die-with-parent", "--new-session"]
        if self.mode == "bwrap-user":
            args += ["--unshare-user", "--disable-userns"]
        else:
            args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        made: set[Path] = set()

        def parents(path: Path):
            for parent in reversed(path.parents):
                if parent != Path("/") and parent not in made:
                    made.add(parent)
                    args.extend(["--perms", "0755", "--dir", str(parent)])

        for d in SYSTEM_DIRS:
            p = Path(d)
            if p.is_symlink():
                args += ["--symlink", os.readlink(p), d]
            elif p.is_dir():
                args += ["--ro-bind", d, d]
        for f in SYSTEM_FILES:
            if Path(f).exists():
                parents(Path(f))
                args += ["--ro-bind", f, f]
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--perms", "1777", "--size", str(self.limits.tmp_mb * 1024 * 1024),
                 "--tmpfs", "/tmp"]
        made.add(Path("/tmp"))
        roots = _python_roots()
        for root in roots:
            if any(root == Path(d) or Path(d) in root.parents for d in SYSTEM_DIRS
                   if Path(d).is_dir() and not Path(d).is_symlink()):
                continue
            parents(root)
            args += ["--ro-bind", str(root), str(root)]
        # never let the course (or anything else hidden) show through a bound folder
        for hidden in self.hide:
            if any(hidden == r or r in hidden.parents for r in [*roots, Path("/usr")]):
                args += ["--tmpfs", str(hidden)]
        parents(box)
        args += ["--bind", str(box), str(box)]
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
               "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
               "IPYTHONDIR": "/tmp/.ipython", "JUPYTER_RUNTIME_DIR": str(box),
               "JUPYTER_PLATFORM_DIRS": "1", "USER": "learner", "LOGNAME": "learner"}
        args.append("--clearenv")
        for key, value in env.items():
            args += ["--setenv", key, value]
        args += ["--", sys.executable, "-I", "-c", LAUNCHER, json.dumps(limits), str(uid), str(gid),
                 str(cwd), *argv]
        return args

    def run(self, argv: list[str], timeout: float = 30, **kwargs) -> subprocess.CompletedProcess:
        """Run a short command in a fresh box (used by `crossings course check`)."""
        box = self.new_box()
        try:
            return subprocess.run(self.command(box, argv), capture_output=True, text=True,
                                  timeout=timeout, **kwargs)
        finally:
            self.remove_box(box)


PROBE = r"""
import os, socket, sys
course = sys.argv[1]
found = []
if os.path.exists(course):
    found.append("course directory visible")
try:
    open("/usr/crossings-probe", "w")
    found.append("/usr writable")
except OSError:
    pass
try:
    socket.create_connection(("127.0.0.1", 9), timeout=1)
except ConnectionRefusedError:
    pass  # loopback of its own only
except OSError:
    pass
try:
    socket.create_connection(("192.0.2.1", 80), timeout=1)
    found.append("network reachable")
except OSError:
    pass
if os.getuid() == 0 or os.geteuid() == 0:
    found.append("running as root")
print("uid", os.getuid(), "found:", ", ".join(found) or "nothing")
sys.exit(1 if found else 0)
"""


def check(sandbox: Sandbox, course: Path) -> tuple[bool, str]:
    """Start the sandbox once and check from inside that the course is out of reach."""
    if not sandbox.isolated:
        return False, sandbox.describe()
    try:
        proc = sandbox.run([sys.executable, "-I", "-c", PROBE, str(course)])
    except (OSError, subprocess.SubprocessError) as exc:
        return False, f"the sandbox did not start: {exc}"
    text = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0:
        return False, f"the sandbox does not isolate as it should: {text[-500:]}"
    return True, text


# executing a notebook in a sandbox lives in kernel.py (re-exported here)
from crossings.grading.kernel import NOT_RUN, Execution, execute, mark_not_run  # noqa: E402

__all__ = ["INSTALL_HINT", "NOT_RUN", "Execution", "Limits", "Sandbox", "SandboxUnavailable",
           "check", "execute", "mark_not_run"]

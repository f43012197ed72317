"""Execute one notebook in a fresh sandboxed kernel (the sandbox is ``sandbox.py``).

The trusted parent talks to the kernel over its sockets only: it reads nothing back from
the sandbox's folder (the kernel's log is a file outside it) and keeps outputs within the
notebook's output budget.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from crossings.grading.limits import kill_group

if TYPE_CHECKING:
    from crossings.grading.sandbox import Sandbox

# -- executing a notebook in the sandbox ------------------------------------------

@dataclass
class Execution:
    """What happened when a notebook ran. ``status`` is ``ok``, ``timeout``,
    ``dead-kernel``, ``output-lost`` (a message over the size limit was dropped)
    or ``sandbox-error``; ``cell`` is the index of the cell that
    was running when it stopped; ``notes`` are facts the grader reports."""

    nb: object
    status: str = "ok"
    cell: int | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    kernel_log: str = ""


def _kernel_classes():
    """Kernel manager/client classes bound to a sandbox (imported lazily: the
    grading extra is optional)."""
    import zmq
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.channels import AsyncZMQSocketChannel  # noqa: F401  (import check)
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import Any, Integer

    class LimitedClient(AsyncKernelClient):
        """Refuses any single message larger than the output limit (ZeroMQ drops it)."""

        max_message = Integer(0)

        def _create_connected_socket(self, channel, identity=None):
            from jupyter_client.connect import channel_socket_types
            sock = self.context.socket(channel_socket_types[channel])
            sock.linger = 1000
            if identity:
                sock.identity = identity
            if self.max_message:
                sock.setsockopt(zmq.MAXMSGSIZE, self.max_message)
            sock.connect(self._make_url(channel))
            return sock

    class SandboxedKernelManager(AsyncKernelManager):
        sandbox = Any()
        box = Any()
        group = Any()

        def client(self, **kwargs):
            self.client_factory = LimitedClient
            kc = super().client(**kwargs)
            kc.max_message = max(self.sandbox.limits.output_kb * 1024 * 4, 4 * 1024 * 1024)
            return kc

        def format_kernel_cmd(self, extra_arguments=None):
            argv = [sys.executable, "-I", "-m", "ipykernel_launcher", "-f", self.connection_file,
                    *(extra_arguments or [])]
            return self.sandbox.command(self.box, argv, cwd=Path("/tmp"), group=self.group)

        def write_connection_file(self, **kwargs):
            super().write_connection_file(**kwargs)
            self.sandbox.give(self.box, Path(self.connection_file))

    return SandboxedKernelManager, LimitedClient


def _trim(out, limit: int = 10_000) -> None:
    """Keep a kept output small (a result's text, an error's traceback)."""
    data = out.get("data") or {}
    for key, value in list(data.items()):
        if isinstance(value, str) and len(value) > limit:
            data[key] = value[:limit] + " [cut]"
        elif key != "text/plain":
            del data[key]
    if "traceback" in out and sum(len(x) for x in out["traceback"]) > limit:
        out["traceback"] = [line[:limit // 10] for line in out["traceback"][-10:]]
    if isinstance(out.get("evalue"), str) and len(out["evalue"]) > limit:
        out["evalue"] = out["evalue"][:limit] + " [cut]"


async def execute(nb, sandbox: Sandbox, executable=None):
    """Execute ``nb`` (a NotebookNode, changed in place) in a fresh sandboxed kernel.

    Never raises for anything the notebook does: a timeout, a dead kernel or a
    kernel that cannot start come back as ``Execution.status``. Cells that did not
    run get an error output, so that nbgrader never mistakes them for passing tests.
    """
    import time

    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbformat import NotebookNode

    manager_class, _ = _kernel_classes()
    limits = sandbox.limits
    box = sandbox.new_box()
    group = sandbox.cgroups.new_group(limits.memory_mb, limits.processes)
    result = Execution(nb)
    started = time.monotonic()
    deadline = started + limits.startup + limits.timeout
    state = {"cell": None, "bytes": 0, "truncated": False, "run_started": None}

    class Client(NotebookClient):
        def create_kernel_manager(self):
            self.km = manager_class(kernel_name="python3", transport="ipc",
                                    ip=str(box / "kernel"), sandbox=sandbox, box=box,
                                    group=group)
            self.km.connection_file = str(box / "kernel.json")
            return self.km

        def output(self, outs, msg, display_id, cell_index):
            # Errors and results decide grades: always kept (trimmed). Printed and
            # displayed output counts against the notebook's output budget.
            if msg["msg_type"] in ("error", "execute_result"):
                out = super().output(outs, msg, display_id, cell_index)
                if out is not None:
                    _trim(out)
                return out
            state["bytes"] += len(str(msg.get("content", "")))
            if state["bytes"] > limits.output_kb * 1024:
                if state["truncated"] != cell_index:
                    state["truncated"] = cell_index
                    outs.append(NotebookNode(output_type="stream", name="stdout",
                                             text=f"\n[output cut: over {limits.output_kb} kB]\n"))
                return None
            return super().output(outs, msg, display_id, cell_index)

    def on_cell_execute(cell, cell_index, **_):
        state["cell"] = cell_index
        if state["run_started"] is None:
            state["run_started"] = time.monotonic()

    def on_cell_executed(cell, cell_index, execute_reply, **_):
        # The shell reply, not the (droppable) output stream, says whether a cell
        # failed: record its error if the output never arrived (as nbgrader does).
        content = execute_reply.get("content", {})
        if content.get("status") == "error" and not any(
                o.get("output_type") == "error" and o.get("ename") == content.get("ename")
                for o in cell.get("outputs", [])):
            cell.setdefault("outputs", []).append(NotebookNode(
                output_type="error", ename=content.get("ename", "Error"),
                evalue=content.get("evalue", ""), traceback=content.get("traceback") or []))

    def cell_timeout(cell):
        begin = state["run_started"] or time.monotonic()
        remaining = begin + limits.timeout - time.monotonic()
        return max(1, int(remaining + 0.999))

    client = Client(nb, timeout=int(limits.timeout), timeout_func=cell_timeout,
                    startup_timeout=int(limits.startup), allow_errors=True,
                    shutdown_kernel="immediate", kernel_name="python3",
                    record_timing=False, on_cell_execute=on_cell_execute,
                    on_cell_executed=on_cell_executed, iopub_timeout=4,
                    raise_on_iopub_timeout=True)
    # the kernel's log is a file outside the box: nothing in the box is ever read back
    log = tempfile.TemporaryFile(prefix="crossings-kernel-log-")
    try:
        with log:
            try:
                await client.async_execute(stdout=log, stderr=log, cwd=str(box))
            except CellTimeoutError as exc:
                # outputs lost (a message over the size limit is dropped) or too slow
                result.status = "output-lost" if "IOPub" in str(exc) else "timeout"
            except DeadKernelError:
                result.status = "dead-kernel"
            except RuntimeError as exc:
                # nbclient reports a kernel that never answered this way
                text = str(exc)
                if state["cell"] is None:
                    result.status = "sandbox-error"
                    result.notes.append(f"the kernel did not start: {text}")
                elif "Kernel died" in text or "dead" in text.lower():
                    result.status = "dead-kernel"
                else:
                    result.status = "sandbox-error"
                    result.notes.append(text)
            try:
                size = log.seek(0, os.SEEK_END)
                log.seek(max(0, size - 4000))
                result.kernel_log = log.read(4000).decode("utf-8", "replace")
            except OSError:
                pass
        if time.monotonic() > deadline and result.status == "ok":
            result.status = "timeout"
    finally:
        kill_group(group)
        sandbox.remove_box(box)
    result.cell = state["cell"]
    result.seconds = time.monotonic() - started
    if state["truncated"] is not False:
        result.notes.append(f"output over {limits.output_kb} kB was cut")
    if result.status != "ok":
        mark_not_run(nb, result.status, state["cell"])
    return result


NOT_RUN = {
    "timeout": ("Timeout", "the notebook ran longer than the time limit"),
    "dead-kernel": ("KernelDied", "the notebook stopped the Python kernel"),
    "sandbox-error": ("NotRun", "the notebook could not be run"),
    "output-lost": ("OutputTooLarge", "the notebook printed more than the output limit"),
}


def mark_not_run(nb, status: str, stopped_at: int | None) -> None:
    """Give the stopped cell and every later code cell an error output (so no test
    that never ran can count as passed)."""
    from nbformat import NotebookNode

    ename, why = NOT_RUN.get(status, ("NotRun", status))
    start = stopped_at if stopped_at is not None else 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or index < start:
            continue
        text = why if index == start and stopped_at is not None else f"not run: {why}"
        cell.setdefault("outputs", []).append(NotebookNode(
            output_type="error", ename=ename, evalue=text, traceback=[f"{ename}: {text}"]))

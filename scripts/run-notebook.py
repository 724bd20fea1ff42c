"""Executes one notebook in a real tslab kernel, the way Jupyter would, and saves its outputs.

Used by scripts/notebooks.mjs (`npm run notebooks`). nbclient drives the kernel; what it adds:

- tslab answers a failing cell with status "error" but no ename/evalue/traceback, so nbclient's
  own message is a bare "<Error>: ". The cause is in the cell's stderr stream, so that is what
  this script prints, with the notebook name and cell number.
- After the last cell it asks the kernel to shut down and waits for the process to end by
  itself. A kernel that needs to be killed (a worker thread or timer keeping Node alive) fails
  the run.

usage: run-notebook.py NOTEBOOK [--out FILE] [--exit-wait SECONDS]
Exit status: 0 ok, 1 a cell failed or the kernel hung, 2 bad usage.
"""
import argparse
import os
from contextlib import ExitStack
import sys
import time

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

KERNELSPEC = {"name": "tslab", "display_name": "TypeScript", "language": "typescript"}


def cell_error_text(cell):
    """What a user sees under a failed tslab cell: its stderr stream and any error output."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append("\n".join(out.get("traceback") or [f"{out.get('ename')}: {out.get('evalue')}"]))
    return "".join(parts).strip() or "(the kernel reported an error but printed nothing)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebook")
    ap.add_argument("--out")
    ap.add_argument("--exit-wait", type=float, default=10.0)
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()

    path = os.path.abspath(args.notebook)
    folder = os.path.dirname(path)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = KERNELSPEC
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    # jupyter_server 2 tells a kernel its notebook this way; trackbook records it as mlflow.source.name.
    os.environ["JPY_SESSION_NAME"] = path

    name = os.path.relpath(path)
    failed = None
    started = time.time()
    with ExitStack() as stack:
        # tslab 1.0 binds its five sockets at once and serves the shell socket as soon as it is
        # bound: a kernel_info request that arrives before the iopub socket is bound makes its
        # reply throw EBUSY ("Socket is blocked by a bind or unbind operation"), an unhandled
        # rejection that ends the kernel before any cell ran (seen on a loaded machine). Such a
        # start is retried once; a kernel that dies again, or later, fails the run.
        for attempt in (1, 2):
            km = KernelManager(kernel_name="tslab")
            client = NotebookClient(nb, km=km, timeout=args.timeout, allow_errors=False, record_timing=False,
                                    resources={"metadata": {"path": folder}})
            try:
                stack.enter_context(client.setup_kernel(cwd=folder))
                break
            except (RuntimeError, TimeoutError) as e:
                if attempt == 2:
                    raise
                print(f"{name}: the tslab kernel ended while starting ({e}); starting it once more")
        code_index = 0
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            code_index += 1
            try:
                client.execute_cell(cell, index)
            except CellExecutionError:
                failed = (code_index, cell)
                break
        last_cell_done = time.time()
        km.request_shutdown()
        while km.is_alive() and time.time() - last_cell_done < args.exit_wait:
            time.sleep(0.05)
        hung = km.is_alive()
        exit_after = time.time() - last_cell_done
        if hung:
            km.shutdown_kernel(now=True)

    nbformat.write(nb, args.out or path)
    if failed:
        number, cell = failed
        print(f"{name}: code cell {number} failed:\n{cell_error_text(cell)}\n--- the cell:\n{cell.source}", file=sys.stderr)
        return 1
    if hung:
        print(f"{name}: the kernel was still running {args.exit_wait:.0f} s after the last cell (something keeps Node alive)", file=sys.stderr)
        return 1
    print(f"{name}: {code_index} code cells ran in {last_cell_done - started:.1f} s; the kernel exited {exit_after:.1f} s after the last cell")
    return 0


if __name__ == "__main__":
    sys.exit(main())

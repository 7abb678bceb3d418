"""Run the selected modules concurrently, each with its own deadline, reporting as each one ends."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait, FIRST_COMPLETED
from dataclasses import dataclass, field
from datetime import datetime, timezone

from scanner.investigations.base import Deadline, ModuleFailure
from scanner.investigations.registry import MODULES

DEFAULT_MODULE_TIMEOUT_SECONDS = 20


def now_iso():
    return datetime.now(timezone.utc).isoformat()


@dataclass
class ModuleRunResult:
    module_name: str
    status: str  # "success" or "failed"
    findings: list = field(default_factory=list)
    run_metadata: dict = field(default_factory=dict)
    error: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


def _run_one(name, email, settings, timeout):
    module = MODULES[name]
    started = now_iso()
    try:
        output = module.run(email, settings, Deadline(timeout))
        return ModuleRunResult(name, "success", output.findings, output.metadata, None, started, now_iso())
    except ModuleFailure as exc:
        return ModuleRunResult(name, "failed", error=str(exc), started_at=started, finished_at=now_iso())
    except Exception as exc:  # a module bug must not take the investigation down
        return ModuleRunResult(name, "failed", error=f"{name} crashed: {exc.__class__.__name__}: {exc}"[:500],
                               started_at=started, finished_at=now_iso())


def run_investigation(email, module_names, settings, emit, timeout=DEFAULT_MODULE_TIMEOUT_SECONDS):
    """Run the modules concurrently; `emit(event)` is called from this thread for every event.

    Each module has `timeout` seconds from its own start; one that takes longer is reported
    as failed at that moment, without waiting for it. Returns the ModuleRunResults in module order.
    """
    results = {}
    pool = ThreadPoolExecutor(max_workers=max(1, len(module_names)), thread_name_prefix="module")
    started = {}
    futures = {}
    for name in module_names:
        emit({"type": "module_start", "module": name, "timestamp": now_iso()})
        started[name] = time.monotonic()
        futures[pool.submit(_run_one, name, email, settings, timeout)] = name
    pending = set(futures)
    while pending:
        next_deadline = min(started[futures[f]] + timeout for f in pending)
        done, pending = wait(pending, timeout=max(0.05, next_deadline - time.monotonic()), return_when=FIRST_COMPLETED)
        for future in done:
            result = future.result()
            results[result.module_name] = result
            emit(_event(result))
        for future in list(pending):
            name = futures[future]
            if time.monotonic() - started[name] >= timeout:
                pending.discard(future)
                result = ModuleRunResult(name, "failed", error=f"{name} did not finish within {timeout:g} seconds",
                                         started_at=None, finished_at=now_iso())
                results[name] = result
                emit(_event(result))
    # Modules that overran keep their threads until their own network timeouts end them.
    threading.Thread(target=pool.shutdown, kwargs={"wait": True}, daemon=True).start()
    return [results[name] for name in module_names]


def _event(result):
    if result.status == "success":
        return {"type": "module_result", "module": result.module_name, "findings": result.findings,
                "status": "success"}
    return {"type": "module_error", "module": result.module_name, "error": result.error, "status": "failed"}

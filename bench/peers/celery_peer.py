"""The peers benchmark on Celery with Redis (broker and result backend): a worker started
as a subprocess with the prefork pool and concurrency 2, warmed with one task before
anything is timed. Prints one JSON line:
{"workloads": {"noop": ms, "fan": ms, "chain": ms}, "notes": [...], "extra": {...}}.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

# NOTE: no __pycache__ in the source tree for celery_tasks (here and in the worker's env).
sys.dont_write_bytecode = True
REDIS_DB = 13
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
os.environ["PEERS_CELERY_REDIS_URL"] = REDIS_URL

import celery  # noqa: E402
import redis  # noqa: E402
from celery import chain, chord, group  # noqa: E402

from celery_tasks import gather, noop, sleep_10ms  # noqa: E402

NOOP_TASKS = 2000
FAN_WIDTH = 200
CHAIN_LENGTH = 40
TIMEOUT_S = 60


def timed(fn):
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def start_worker(log):
    here = os.path.dirname(os.path.abspath(__file__))
    command = [
        sys.executable, "-m", "celery", "-A", "celery_tasks", "worker",
        "--pool", "prefork", "--concurrency", "2", "--loglevel", "WARNING",
    ]
    return subprocess.Popen(
        command,
        cwd=here,
        env={**os.environ, "PYTHONPATH": here, "PYTHONDONTWRITEBYTECODE": "1"},
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )


def stop_worker(worker):
    if worker.poll() is not None:
        return
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def main():
    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    log = tempfile.TemporaryFile()
    started = time.perf_counter()
    worker = start_worker(log)
    try:
        try:
            noop.delay(-1).get(timeout=30)
        except Exception as error:
            stop_worker(worker)
            log.seek(0)
            raise SystemExit(f"celery worker did not answer: {error}\n{log.read().decode()[-2000:]}")
        startup_ms = (time.perf_counter() - started) * 1000

        def independent():
            results = group(noop.s(i) for i in range(NOOP_TASKS)).apply_async()
            assert len(results.get(timeout=TIMEOUT_S)) == NOOP_TASKS

        def fan():
            # noop(0), then 200 noop tasks each given its result, then gather over all 200.
            dag = chain(noop.s(0), chord([noop.s() for _ in range(FAN_WIDTH)], gather.s()))
            assert dag.apply_async().get(timeout=TIMEOUT_S) == FAN_WIDTH

        def sequential():
            links = [sleep_10ms.s(None)] + [sleep_10ms.s() for _ in range(CHAIN_LENGTH - 1)]
            assert chain(*links).apply_async().get(timeout=TIMEOUT_S) == 1

        workloads = {"noop": timed(independent), "fan": timed(fan), "chain": timed(sequential)}
    finally:
        stop_worker(worker)
    print(
        json.dumps(
            {
                "workloads": workloads,
                "notes": [
                    f"celery {celery.__version__}: worker subprocess, prefork pool, concurrency 2, "
                    f"Redis db {REDIS_DB} as broker and backend; worker start + warm-up task "
                    f"({startup_ms:.0f} ms) not timed"
                ],
                "extra": {"startupMs": startup_ms},
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())

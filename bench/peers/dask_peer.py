"""The peers benchmark on Dask distributed: a LocalCluster of 2 worker processes (1 thread
each), started and warmed with one task before anything is timed. Prints one JSON line:
{"workloads": {"noop": ms, "fan": ms, "chain": ms}, "notes": [...], "extra": {...}}.
"""

import json
import logging
import sys
import time

from distributed import Client, LocalCluster

NOOP_TASKS = 2000
FAN_WIDTH = 200
CHAIN_LENGTH = 40


def noop(value):
    return value


def noop_after(_upstream, value):
    return value


def gather(values):
    return len(values)


def sleep_10ms(_previous):
    time.sleep(0.010)
    return 1


def timed(fn):
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def main():
    started = time.perf_counter()
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    try:
        client.submit(noop, -1, pure=False).result()
        startup_ms = (time.perf_counter() - started) * 1000

        def independent():
            futures = client.map(noop, range(NOOP_TASKS), pure=False)
            assert len(client.gather(futures)) == NOOP_TASKS

        def fan():
            root = client.submit(noop, 0, pure=False)
            middle = [client.submit(noop_after, root, i, pure=False) for i in range(FAN_WIDTH)]
            assert client.submit(gather, middle, pure=False).result() == FAN_WIDTH

        def chain():
            link = client.submit(sleep_10ms, None, pure=False)
            for _ in range(CHAIN_LENGTH - 1):
                link = client.submit(sleep_10ms, link, pure=False)
            assert link.result() == 1

        workloads = {"noop": timed(independent), "fan": timed(fan), "chain": timed(chain)}
    finally:
        client.close()
        cluster.close()
    import distributed

    print(
        json.dumps(
            {
                "workloads": workloads,
                "notes": [
                    f"distributed {distributed.__version__}: LocalCluster, 2 worker processes x 1 thread; "
                    f"cluster start + warm-up task ({startup_ms:.0f} ms) not timed"
                ],
                "extra": {"startupMs": startup_ms},
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())

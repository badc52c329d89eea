"""The Celery app of the peers benchmark: no-op, gather and 10 ms tasks on Redis.

Broker and result backend are the Redis database named by PEERS_CELERY_REDIS_URL, which the
driver (celery_peer.py) flushes before starting a worker on this module.
"""

import os
import time

from celery import Celery

REDIS_URL = os.environ.get("PEERS_CELERY_REDIS_URL", "redis://127.0.0.1:6379/13")

app = Celery("peers", broker=REDIS_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    result_expires=600,
    worker_hijack_root_logger=False,
)


@app.task
def noop(value=None):
    return value


@app.task
def gather(values):
    return len(values)


@app.task
def sleep_10ms(_previous=None):
    time.sleep(0.010)
    return 1

"""Training batches from Sluice, for Python programs.

In a command step of a pipeline (the run owns the data directory and tells the step how to
reach it in SLUICE_CONTROL_SOCKET):

    from sluice_batches import batches

    for batch in batches(repo="cardiac-mri", path="/datapoints", size=8, epochs=2, seed=1):
        images = batch.arrays["image"]   # numpy float32 [8, H, W]
        masks = batch.arrays["mask"]     # numpy uint8 [8, H, W]

Under `sluice batches exec --repo ... -- python3 train.py`, call `batches()` without options:
the session is the one the command opened (SLUICE_BATCHES_SOCKET).

Batches stream as frames: an 8-byte little-endian length, then an array bundle (see
Sluice's src/batches/arrays.ts); a zero length ends the session. Reading applies
backpressure: the session loads at most `prefetch` batches ahead of the one held here.
Sluice puts this file's folder on PYTHONPATH for the programs it runs.
"""

import http.client
import json
import os
import socket
import struct
from typing import Dict, Iterator, List, NamedTuple

import numpy as np

MAGIC = b"SLUICEA1"


class Batch(NamedTuple):
    epoch: int
    index: int
    paths: List[str]
    meta: List[dict]
    arrays: Dict[str, np.ndarray]


def decode_arrays(data: bytes, what: str = "bundle"):
    """The (meta, arrays) of an array bundle; arrays are views into `data`."""
    if len(data) < 12 or data[:8] != MAGIC:
        raise ValueError(f"{what}: not an array bundle (expected {MAGIC!r} at byte 0)")
    (length,) = struct.unpack_from("<I", data, 8)
    header = json.loads(data[12 : 12 + length].decode("utf-8"))
    arrays = {}
    for entry in header["arrays"]:
        dtype = np.dtype(entry["dtype"]).newbyteorder("<")
        count = int(np.prod(entry["shape"])) if entry["shape"] else 1
        array = np.frombuffer(data, dtype=dtype, count=count, offset=entry["offset"])
        arrays[entry["name"]] = array.reshape(entry["shape"])
    return header.get("meta", {}), arrays


def _read_exactly(stream, size: int) -> bytes:
    chunks = []
    remaining = size
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            raise ConnectionError(f"the batch socket closed {remaining} bytes before the end of a frame")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str):
        super().__init__("localhost")
        self._path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self._path)


def _frames(stream) -> Iterator[Batch]:
    while True:
        (size,) = struct.unpack("<Q", _read_exactly(stream, 8))
        if size == 0:
            return
        meta, arrays = decode_arrays(_read_exactly(stream, size), "batch")
        yield Batch(meta["epoch"], meta["index"], meta["paths"], meta.get("items", []), arrays)


_OPTION_NAMES = {"drop_last": "dropLast", "ack_wait_ms": "ackWaitMs"}


def batches(repo: str = None, **options) -> Iterator[Batch]:
    """Yields a session's batches in order until it ends.

    With `repo` (and `ref`, `path`, `suffix`, `size`, `epochs`, `seed`, `drop_last`,
    `prefetch`, `loaders`, `ack_wait_ms`), opens a session in the process that owns the data
    directory (SLUICE_CONTROL_SOCKET). Without, reads the session of `sluice batches exec`.
    """
    if repo is None:
        path = os.environ.get("SLUICE_BATCHES_SOCKET")
        if not path:
            raise RuntimeError(
                "name the repo holding the datapoints (batches(repo=...)), or run this program with `sluice batches exec`"
            )
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(path)
        stream = connection.makefile("rb")
        try:
            yield from _frames(stream)
        finally:
            stream.close()
            connection.close()
        return
    control = os.environ.get("SLUICE_CONTROL_SOCKET")
    if not control:
        raise RuntimeError("SLUICE_CONTROL_SOCKET is not set: run this program as a step of a Sluice pipeline")
    body = {"repo": repo}
    for name, value in options.items():
        if value is not None:
            body[_OPTION_NAMES.get(name, name)] = value
    connection = _UnixConnection(control)
    try:
        connection.request("POST", "/v0/batches", body=json.dumps(body), headers={"content-type": "application/json"})
        response = connection.getresponse()
        if response.status != 200:
            text = response.read().decode("utf-8", "replace")
            try:
                failure = json.loads(text)
                message = f"{failure.get('message')} [{failure.get('code')}]"
            except ValueError:
                message = text
            raise RuntimeError(f"Sluice could not open the batch session: {message}")
        yield from _frames(response)
    finally:
        connection.close()

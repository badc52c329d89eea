"""Training batches from Sluice, for Python programs run by `sluice batches exec`.

    from sluice_batches import batches

    for batch in batches():
        images = batch.arrays["image"]   # numpy float32 [8, H, W]
        masks = batch.arrays["mask"]     # numpy uint8 [8, H, W]

Each batch arrives as an array bundle over the Unix socket named by SLUICE_BATCHES_SOCKET:
an 8-byte little-endian length, then the bundle (see Sluice's src/batches/arrays.ts); a
zero length ends the session. The socket applies backpressure: the session loads at most
`--prefetch` batches ahead of the one this program holds.
"""

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


def batches(path: str = None) -> Iterator[Batch]:
    """Yields the session's batches in order until it ends."""
    path = path or os.environ.get("SLUICE_BATCHES_SOCKET")
    if not path:
        raise RuntimeError("SLUICE_BATCHES_SOCKET is not set: run this program with `sluice batches exec -- ...`")
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    stream = connection.makefile("rb")
    try:
        while True:
            (size,) = struct.unpack("<Q", _read_exactly(stream, 8))
            if size == 0:
                return
            meta, arrays = decode_arrays(_read_exactly(stream, size), "batch")
            yield Batch(meta["epoch"], meta["index"], meta["paths"], meta.get("items", []), arrays)
    finally:
        stream.close()
        connection.close()

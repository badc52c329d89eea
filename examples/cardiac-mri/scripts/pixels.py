"""pydicom's reading of DICOM slices, for checking other decoders against it.

Usage: /usr/bin/python3 pixels.py OUT.f32 FILE...

Writes, for each FILE in order, `pixel_array * RescaleSlope + RescaleIntercept` as
little-endian float32 (row-major) into OUT.f32, and prints a JSON list of
{"file", "rows", "columns", "offset"} (offset in float32 values) to stdout.
pydicom here has no JPEG-LS or JPEG lossless decoder, so compressed files are first
decompressed with dcmtk (dcmdjpls / dcmdjpeg) into a temporary copy.
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pydicom

DECOMPRESSORS = {
    "1.2.840.10008.1.2.4.80": "dcmdjpls",
    "1.2.840.10008.1.2.4.81": "dcmdjpls",
    "1.2.840.10008.1.2.4.57": "dcmdjpeg",
    "1.2.840.10008.1.2.4.70": "dcmdjpeg",
}


def modality_values(path, scratch):
    ds = pydicom.dcmread(path)
    command = DECOMPRESSORS.get(str(ds.file_meta.TransferSyntaxUID))
    if command is not None:
        plain = os.path.join(scratch, "plain.dcm")
        subprocess.run([command, path, plain], check=True)
        ds = pydicom.dcmread(plain)
    stored = ds.pixel_array.astype(np.int32)
    bits = int(ds.BitsStored)
    if bits < int(ds.BitsAllocated):
        stored &= (1 << bits) - 1
        if int(ds.PixelRepresentation) == 1:
            stored = np.where(stored >= 1 << (bits - 1), stored - (1 << bits), stored)
    slope = float(getattr(ds, "RescaleSlope", 1))
    intercept = float(getattr(ds, "RescaleIntercept", 0))
    return (stored * slope + intercept).astype("<f4")


def main(out, files):
    index = []
    offset = 0
    with tempfile.TemporaryDirectory() as scratch, open(out, "wb") as sink:
        for path in files:
            values = modality_values(path, scratch)
            sink.write(values.tobytes())
            rows, columns = values.shape
            index.append({"file": path, "rows": rows, "columns": columns, "offset": offset})
            offset += values.size
    json.dump(index, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])

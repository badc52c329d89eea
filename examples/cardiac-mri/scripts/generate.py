"""Writes a seeded, Sunnybrook-shaped cardiac MRI test set: real DICOM slices and i-contours.

Usage: /usr/bin/python3 generate.py OUT_DIR [--patients 3] [--slices 12] [--size 256]
                                             [--seed 1] [--compressed] [--defects]

Layout (as in the Sunnybrook cardiac data):
  OUT_DIR/dicoms/<patient_id>/<n>.dcm          16-bit MR slices, n = 1, 2, 3, ...
  OUT_DIR/contourfiles/<original_id>/i-contours/IM-0001-<nnnn>-icontour-manual.txt
  OUT_DIR/link.csv                             patient_id,original_id
  OUT_DIR/truth.json                           what was drawn where, and every planted defect

Each slice is a phantom: a noisy body ellipse of mid intensity and a bright elliptical blood
pool (the left ventricle) whose centre and radii drift smoothly with slice and patient.
Patients alternate unsigned and signed storage; slices alternate explicit and implicit VR
little endian and carry one of a few rescale slope/intercept pairs (stored values always fit
BitsStored). With --compressed, slices n % 3 == 0 become JPEG-LS lossless (dcmcjpls) and
n % 3 == 1 JPEG lossless SV1 (dcmcjpeg), so a dataset holds all four transfer syntaxes.
With --defects, broken files are planted and listed under "defects" in truth.json.
The output is byte-for-byte the same for a given set of arguments (UIDs derive from the seed).
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys

import numpy as np
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import (
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEGLosslessSV1,
    JPEGLSLossless,
    MRImageStorage,
)

# (pixel representation) -> rescale options: (slope, intercept, bits stored, written?)
# Stored = (modality - intercept) / slope must fit BitsStored for the signedness.
RESCALES = {
    0: [(1, 0, 12, False), (2, 0, 12, True), (1, -1024, 16, True)],
    1: [(1, 0, 16, False), (1, 1024, 16, True), (2, 0, 12, True), (1, 2048, 12, True)],
}
MODALITY_MAX = 4095


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Seeded Sunnybrook-like cardiac MRI test data.")
    parser.add_argument("out_dir")
    parser.add_argument("--patients", type=int, default=3)
    parser.add_argument("--slices", type=int, default=12)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--compressed", action="store_true")
    parser.add_argument("--defects", action="store_true")
    args = parser.parse_args(argv)
    if args.patients < 1 or args.slices < 4 or args.size < 32:
        parser.error("need --patients >= 1, --slices >= 4 and --size >= 32")
    return args


def uid(seed, *parts):
    """A UID under the 2.25 (UUID-derived) root, the same for the same seed and parts."""
    # NOTE: pydicom's generate_uid(prefix=None) ignores entropy_srcs and returns a random UUID.
    digest = hashlib.sha256("/".join(["cardiac-mri", str(seed), *map(str, parts)]).encode()).digest()
    return "2.25." + str(int.from_bytes(digest[:16], "big"))


def blood_pool(size, patient, n, slices, phase):
    """The left ventricle's centre (x = column, y = row) and radii in pixels for slice n."""
    t = (n - 1) / max(slices - 1, 1)
    cx = size * (0.46 + 0.04 * np.sin(phase + 2.1 * t) + 0.01 * patient)
    cy = size * (0.44 + 0.03 * np.cos(phase + 1.7 * t))
    # Widest at the base, narrowing towards the apex.
    taper = 1.0 - 0.45 * t
    rx = size * (0.085 + 0.01 * np.sin(phase)) * taper + 3.0
    ry = size * (0.07 + 0.01 * np.cos(phase)) * taper + 3.0
    return round(float(cx), 3), round(float(cy), 3), round(float(rx), 3), round(float(ry), 3)


def phantom(rng, size, pool):
    """Modality values (0..4095, integer) of one MR-like slice."""
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float32)
    body = ((cols - size * 0.5) / (size * 0.42)) ** 2 + ((rows - size * 0.5) / (size * 0.34)) ** 2 <= 1
    cx, cy, rx, ry = pool
    inside = ((cols - cx) / rx) ** 2 + ((rows - cy) / ry) ** 2 <= 1
    image = rng.normal(40, 12, (size, size)).astype(np.float32)
    image[body] = rng.normal(900, 110, int(body.sum()))
    # The myocardium: a darker ring around the blood pool.
    ring = (((cols - cx) / (rx + 6)) ** 2 + ((rows - cy) / (ry + 6)) ** 2 <= 1) & ~inside
    image[ring] = rng.normal(520, 60, int(ring.sum()))
    image[inside] = rng.normal(2600, 180, int(inside.sum()))
    return np.clip(np.rint(image), 0, MODALITY_MAX).astype(np.int32)


def write_slice(path, *, seed, patient_id, n, size, values, signed, rescale, implicit):
    slope, intercept, bits_stored, written = rescale
    stored = (values - intercept) // slope
    values = stored * slope + intercept  # what a reader must get back
    limit = (1 << (bits_stored - 1)) if signed else (1 << bits_stored)
    assert stored.min() >= (-limit if signed else 0) and stored.max() < limit, (path, stored.min(), stored.max())

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = MRImageStorage
    meta.MediaStorageSOPInstanceUID = uid(seed, patient_id, n, "sop")
    meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    meta.ImplementationClassUID = "1.2.826.0.1.3680043.8.498.1"
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian = True
    ds.is_implicit_VR = implicit
    ds.SOPClassUID = MRImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = uid(seed, patient_id, "study")
    ds.SeriesInstanceUID = uid(seed, patient_id, "series")
    ds.FrameOfReferenceUID = uid(seed, patient_id, "frame")
    ds.StudyDate = "20090101"
    ds.Modality = "MR"
    ds.Manufacturer = "Sluice phantom"
    ds.PatientName = patient_id
    ds.PatientID = patient_id
    ds.SeriesNumber = 1
    ds.InstanceNumber = n
    ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "ND"]
    ds.SliceThickness = "8"
    ds.PixelSpacing = ["1.367188", "1.367188"]
    ds.SliceLocation = f"{-40.0 + 8.0 * n:.1f}"
    ds.ImagePositionPatient = ["-175.0", "-175.0", ds.SliceLocation]
    ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = size
    ds.Columns = size
    ds.BitsAllocated = 16
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    ds.WindowCenter = "1200"
    ds.WindowWidth = "2600"
    if written:
        ds.RescaleIntercept = str(intercept)
        ds.RescaleSlope = str(slope)
        ds.RescaleType = "US"
    ds.PixelData = stored.astype(np.int16 if signed else np.uint16).tobytes()
    ds.save_as(str(path), write_like_original=False)
    return values


def contour_points(rng, pool):
    cx, cy, rx, ry = pool
    count = int(rng.integers(40, 81))
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False) + rng.uniform(0, 0.1)
    wobble = rng.normal(0, 0.15, (count, 2))
    xs = cx + rx * np.cos(angles) + wobble[:, 0]
    ys = cy + ry * np.sin(angles) + wobble[:, 1]
    return [f"{x:.2f} {y:.2f}" for x, y in zip(xs, ys)]


def contour_path(out, original_id, n):
    return os.path.join(out, "contourfiles", original_id, "i-contours", f"IM-0001-{n:04d}-icontour-manual.txt")


def compress(out, jobs):
    """Runs dcmcjpls/dcmcjpeg for (command, options, relative path) in parallel, in place."""
    running = []
    for command, options, rel in jobs:
        path = os.path.join(out, rel)
        running.append((path, subprocess.Popen([command, *options, path, path + ".tmp"], stderr=subprocess.PIPE)))
    for path, process in running:
        _, err = process.communicate()
        if process.returncode != 0:
            sys.exit(f"generate.py: compressing {path} failed: {err.decode(errors='replace')}")
        os.replace(path + ".tmp", path)


def plant_defects(out, patients, rng):
    defects = []
    first, second, third = patients[0], patients[min(1, len(patients) - 1)], patients[-1]
    uncompressed = [s for s in first["slices"] if s["contour"] and s["transferSyntax"] in (ExplicitVRLittleEndian, ImplicitVRLittleEndian)]
    victim = uncompressed[0]
    path = os.path.join(out, victim["file"])
    with open(path, "rb") as handle:
        data = handle.read()
    size = len(data)
    pixel_bytes = victim["rows"] * victim["columns"] * 2
    with open(path, "wb") as handle:
        handle.write(data[: size - pixel_bytes // 2])
    victim["defect"] = "truncated"
    defects.append({"file": victim["file"], "kind": "truncated"})

    # A dataset without preamble, "DICM" or file meta: what some PACS exports look like.
    plain = [s for s in second["slices"] if s["transferSyntax"] == ExplicitVRLittleEndian]
    victim = plain[-1]
    path = os.path.join(out, victim["file"])
    with open(path, "rb") as handle:
        data = handle.read()
    meta_length = int.from_bytes(data[140:144], "little")  # (0002,0000) group length value
    with open(path, "wb") as handle:
        handle.write(data[144 + meta_length :])
    victim["defect"] = "no-preamble"
    defects.append({"file": victim["file"], "kind": "no-preamble"})

    contoured = [s for s in second["slices"] if s["contour"] and "defect" not in s]
    victim = contoured[len(contoured) // 2]
    path = contour_path(out, second["original_id"], victim["n"])
    with open(path) as handle:
        lines = handle.read().splitlines()
    at = len(lines) // 2
    lines.insert(at, "12.5")
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    defects.append({"file": os.path.relpath(path, out), "kind": "contour-odd-coordinates", "line": at + 1})

    contoured = [s for s in third["slices"] if s["contour"] and "defect" not in s]
    victim = contoured[-1]
    path = contour_path(out, third["original_id"], victim["n"])
    with open(path) as handle:
        lines = handle.read().splitlines()
    with open(path, "w") as handle:
        handle.write("\n".join(lines[:2]) + "\n")
    defects.append({"file": os.path.relpath(path, out), "kind": "contour-too-few-points"})

    path = contour_path(out, first["original_id"], 999)
    with open(path, "w") as handle:
        handle.write("\n".join(contour_points(rng, (100.0, 100.0, 20.0, 18.0))) + "\n")
    defects.append({"file": os.path.relpath(path, out), "kind": "contour-without-slice"})

    with open(os.path.join(out, "link.csv"), "a") as handle:
        handle.write("SCD0009999,SC-HF-I-99\n")
    defects.append({"file": "link.csv", "kind": "link-missing-patient", "patient_id": "SCD0009999"})
    return defects


def main(argv):
    args = parse_args(argv)
    out = args.out_dir
    for name in ("dicoms", "contourfiles", "link.csv", "truth.json"):
        target = os.path.join(out, name)
        if os.path.isdir(target):
            shutil.rmtree(target)
        elif os.path.exists(target):
            os.remove(target)
    rng = np.random.default_rng(args.seed)
    patients = []
    jobs = []
    for index in range(args.patients):
        patient_id = f"SCD00001{index + 1:02d}"
        original_id = f"SC-HF-I-{index + 1}"
        signed = index % 2 == 1
        phase = float(rng.uniform(0, 2 * np.pi))
        os.makedirs(os.path.join(out, "dicoms", patient_id))
        os.makedirs(os.path.join(out, "contourfiles", original_id, "i-contours"))
        # Most slices have a contour; about one in five (never the first two) has none.
        skipped = set(int(n) for n in rng.choice(np.arange(3, args.slices + 1), max(1, args.slices // 5), replace=False))
        options = RESCALES[int(signed)]
        slices = []
        for n in range(1, args.slices + 1):
            pool = blood_pool(args.size, index, n, args.slices, phase)
            rescale = options[(n + index) % len(options)]
            implicit = n % 2 == 0
            rel = os.path.join("dicoms", patient_id, f"{n}.dcm")
            values = phantom(rng, args.size, pool)
            write_slice(os.path.join(out, rel), seed=args.seed, patient_id=patient_id, n=n, size=args.size,
                        values=values, signed=signed, rescale=rescale, implicit=implicit)
            syntax = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
            if args.compressed and n % 3 == 0:
                jobs.append(("dcmcjpls", ["+el", "+un"], rel))
                syntax = JPEGLSLossless
            elif args.compressed and n % 3 == 1:
                jobs.append(("dcmcjpeg", ["+e1", "+un"], rel))
                syntax = JPEGLosslessSV1
            contour = n not in skipped
            if contour:
                with open(contour_path(out, original_id, n), "w") as handle:
                    handle.write("\n".join(contour_points(rng, pool)) + "\n")
            cx, cy, rx, ry = pool
            slices.append({
                "file": rel, "n": n, "transferSyntax": str(syntax), "rows": args.size, "columns": args.size,
                "pixelRepresentation": int(signed), "bitsStored": rescale[2],
                "rescaleSlope": rescale[0], "rescaleIntercept": rescale[1], "rescaleWritten": rescale[3],
                "pool": {"x": cx, "y": cy, "rx": rx, "ry": ry}, "contour": contour,
            })
        patients.append({"patient_id": patient_id, "original_id": original_id, "slices": slices})
    compress(out, jobs)
    with open(os.path.join(out, "link.csv"), "w") as handle:
        handle.write("patient_id,original_id\n")
        for patient in patients:
            handle.write(f"{patient['patient_id']},{patient['original_id']}\n")
    defects = plant_defects(out, patients, rng) if args.defects else []
    truth = {"seed": args.seed, "size": args.size, "compressed": args.compressed, "patients": patients, "defects": defects}
    with open(os.path.join(out, "truth.json"), "w") as handle:
        json.dump(truth, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])

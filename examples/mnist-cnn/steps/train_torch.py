"""Trains the mnist-cnn CNN with PyTorch (Debian's python3-torch) as a Sluice command step.

Reads a labelled image folder (<data_dir>/<label>/<name>.png, grey or RGB, any size),
splits it train/validation/test with a seeded shuffle, trains the same small CNN as the
TF.js step, logs loss and accuracy per epoch to $SLUICE_METRICS, and saves an ONNX export
as a new version of the model ($SLUICE_MODELS/<model>/model.onnx), served by
onnxruntime-node in the predict pipeline. Beside model.onnx, sluice-model.json declares how
the version is served over HTTP (`sluice serve`), and check-predictions.json holds what the
trained network predicted for (up to 1,000 of) the test images, by folder path, so a serving
runtime can be checked against PyTorch.
"""
import json
import os
import sys
import time

try:
    import numpy as np
    import torch
    from torch import nn
    from PIL import Image
except ImportError as error:  # pragma: no cover - what a user without the packages sees
    # NOTE: Debian's python3-torch lives in the system Python; a pyenv or venv python3 that
    # comes first on PATH does not see it, so try the system one before giving up.
    SYSTEM_PYTHON = "/usr/bin/python3"
    if os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) and os.path.exists(SYSTEM_PYTHON):
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, *sys.argv])
    print(
        f"mnist-train-torch needs PyTorch, numpy and Pillow: {error}. "
        "On Debian: apt-get install python3-torch python3-numpy python3-pil",
        file=sys.stderr,
    )
    sys.exit(2)

PIPELINE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg")
CHECK_PREDICTIONS = 1000
DIGITS = [str(digit) for digit in range(10)]


def serving_manifest(size):
    """sluice-model.json of the ONNX export, as lib/serving-manifest.ts writes it for TF.js."""
    return {
        "flavor": "onnx",
        "input": {"image": {"type": "image", "width": size, "height": size, "channels": 1}},
        "layout": "NCHW",
        "output": {"classes": DIGITS},
    }


def read_inputs():
    with open(os.environ["SLUICE_INPUTS"], encoding="utf-8") as handle:
        return json.load(handle)


def load_folder(data_dir, size, limit):
    """Images as float32 [N, 1, size, size] in 0..1, int64 labels and folder-relative paths, in a stable order."""
    if not os.path.isdir(data_dir):
        raise SystemExit(f"data_dir {data_dir} is not a folder; run scripts/prepare.mjs first")
    paths = []
    for label in sorted(os.listdir(data_dir)):
        folder = os.path.join(data_dir, label)
        if not os.path.isdir(folder) or not label.isdigit():
            continue
        for name in sorted(os.listdir(folder)):
            if name.lower().endswith(IMAGE_EXTENSIONS):
                paths.append((f"{label}/{name}", int(label)))
    if not paths:
        raise SystemExit(f"data_dir {data_dir} holds no <label>/<image> files")
    if limit > 0:
        order = np.random.default_rng(0).permutation(len(paths))[:limit]
        paths = [paths[index] for index in sorted(order)]
    images = np.empty((len(paths), 1, size, size), dtype=np.float32)
    labels = np.empty(len(paths), dtype=np.int64)
    for index, (path, label) in enumerate(paths):
        with Image.open(os.path.join(data_dir, path)) as image:
            grey = image.convert("L")
            if grey.size != (size, size):
                grey = grey.resize((size, size), Image.BILINEAR)
            images[index, 0] = np.asarray(grey, dtype=np.float32) / 255.0
        labels[index] = label
    return images, labels, [path for path, _ in paths]


class Cnn(nn.Module):
    """conv 8@5x5 -> pool -> conv 16@5x5 -> pool -> dense 10, as the TF.js model."""

    def __init__(self, size):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        )
        side = ((size - 4) // 2 - 4) // 2
        self.classifier = nn.Linear(16 * side * side, 10)

    def forward(self, images):
        return self.classifier(torch.flatten(self.features(images), 1))


class Exported(nn.Module):
    """What the ONNX file computes: class probabilities."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, images):
        return torch.softmax(self.model(images), dim=1)


def predict(model, images, batch):
    """The most probable class of each image."""
    model.eval()
    with torch.no_grad():
        return [
            int(index)
            for start in range(0, len(images), batch)
            for index in model(torch.from_numpy(images[start:start + batch])).argmax(1)
        ]


def evaluate(model, images, labels, batch):
    model.eval()
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(images), batch):
            x = torch.from_numpy(images[start:start + batch])
            y = torch.from_numpy(labels[start:start + batch])
            logits = model(x)
            total_loss += float(loss_fn(logits, y))
            correct += int((logits.argmax(1) == y).sum())
    count = max(len(images), 1)
    return total_loss / count, correct / count


def main():
    inputs = read_inputs()
    size = int(inputs.get("image_size", 28))
    batch = int(inputs.get("batch_size", 64))
    epochs = int(inputs.get("epochs", 2))
    rate = float(inputs.get("learning_rate", 0.001))
    seed = int(inputs.get("seed", 1))
    name = inputs.get("model", "mnist-cnn")
    data_dir = os.path.join(PIPELINE_DIR, inputs["data_dir"])
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    images, labels, paths = load_folder(data_dir, size, int(inputs.get("limit", 0)))
    order = np.random.default_rng(seed).permutation(len(images))
    test_count = int(len(images) * float(inputs.get("test_split", 0.1)))
    val_count = int(len(images) * float(inputs.get("validation_split", 0.1)))
    test, val, train = np.split(order, [test_count, test_count + val_count])
    print(f"{len(train)} training, {len(val)} validation, {len(test)} test images of {size}x{size}", flush=True)

    model = Cnn(size)
    optimiser = torch.optim.Adam(model.parameters(), lr=rate)
    loss_fn = nn.CrossEntropyLoss()
    metrics = open(os.environ["SLUICE_METRICS"], "a", encoding="utf-8")
    trained, started = 0, time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        shuffled = np.random.default_rng(seed + epoch).permutation(train)
        total_loss, correct = 0.0, 0
        for start in range(0, len(shuffled), batch):
            picked = shuffled[start:start + batch]
            x = torch.from_numpy(images[picked])
            y = torch.from_numpy(labels[picked])
            optimiser.zero_grad()
            logits = model(x)
            loss = loss_fn(logits, y)
            loss.backward()
            optimiser.step()
            total_loss += float(loss) * len(picked)
            correct += int((logits.argmax(1) == y).sum())
        trained += len(shuffled)
        points = {"loss": total_loss / max(len(shuffled), 1), "accuracy": correct / max(len(shuffled), 1)}
        if len(val) > 0:
            points["val_loss"], points["val_accuracy"] = evaluate(model, images[val], labels[val], 512)
        for key, value in points.items():
            metrics.write(json.dumps({"key": key, "value": value, "step": epoch}) + "\n")
        metrics.flush()
        print(f"epoch {epoch}/{epochs}: " + ", ".join(f"{key} {value:.4f}" for key, value in points.items()), flush=True)
    seconds = time.perf_counter() - started
    samples_per_second = trained / seconds if seconds > 0 else 0.0
    _, test_accuracy = evaluate(model, images[test], labels[test], 512)
    print(f"test accuracy {test_accuracy:.4f}; {samples_per_second:.0f} samples/s", flush=True)

    folder = os.path.join(os.environ["SLUICE_MODELS"], name)
    os.makedirs(folder, exist_ok=True)
    exported = Exported(model).eval()
    torch.onnx.export(
        exported,
        torch.zeros(1, 1, size, size),
        os.path.join(folder, "model.onnx"),
        input_names=["images"],
        output_names=["probabilities"],
        dynamic_axes={"images": {0: "batch"}, "probabilities": {0: "batch"}},
        opset_version=13,
    )
    with open(os.path.join(folder, "sluice-model.json"), "w", encoding="utf-8") as handle:
        json.dump(serving_manifest(size), handle)
    checked = test[:CHECK_PREDICTIONS]
    with open(os.path.join(folder, "check-predictions.json"), "w", encoding="utf-8") as handle:
        json.dump({"ids": [paths[index] for index in checked], "classes": predict(model, images[checked], 512)}, handle)
    with open(os.path.join(os.environ["SLUICE_MODELS"], f"{name}.json"), "w", encoding="utf-8") as handle:
        json.dump(
            {
                "metrics": {"test_accuracy": test_accuracy, "samples_per_second": samples_per_second},
                "params": {
                    "flavor": "onnx",
                    "image_size": size,
                    "input": "grey",
                    "layout": "NCHW",
                    "epochs": epochs,
                    "batch_size": batch,
                    "learning_rate": rate,
                    "trained_on": len(train),
                },
            },
            handle,
        )
    with open(os.environ["SLUICE_OUTPUTS"], "w", encoding="utf-8") as handle:
        json.dump({"test_accuracy": test_accuracy, "samples_per_second": samples_per_second}, handle)


if __name__ == "__main__":
    main()

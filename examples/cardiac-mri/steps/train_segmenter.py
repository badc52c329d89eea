"""Trains a small fully convolutional segmenter on random batches of cardiac-mri datapoints.

The batches come from Sluice's training-batch service (`sluice_batches.batches`): each is
`image` float32 [B, H, W] in modality units and `mask` uint8 [B, H, W]. Images are scaled
per slice (zero mean, unit variance). Loss (binary cross-entropy) and Dice are logged per
epoch to $SLUICE_METRICS; the weights are saved as a new version of the model.
"""
import json
import os
import sys
import time

try:
    import numpy as np
    import torch
    from torch import nn
except ImportError as error:  # pragma: no cover - what a user without the packages sees
    SYSTEM_PYTHON = "/usr/bin/python3"
    if os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) and os.path.exists(SYSTEM_PYTHON):
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, *sys.argv])
    print(f"cardiac-mri-train needs PyTorch and numpy: {error}. On Debian: apt-get install python3-torch", file=sys.stderr)
    sys.exit(2)

from sluice_batches import batches


def network():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=2, dilation=2),
        nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=4, dilation=4),
        nn.ReLU(),
        nn.Conv2d(16, 1, 1),
    )


def main():
    with open(os.environ["SLUICE_INPUTS"], encoding="utf-8") as handle:
        inputs = json.load(handle)
    torch.manual_seed(inputs["seed"])
    torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
    model = network()
    optimiser = torch.optim.Adam(model.parameters(), lr=inputs["learning_rate"])
    metrics = open(os.environ["SLUICE_METRICS"], "a", encoding="utf-8")
    totals = {}
    count = 0
    seen = 0
    started = time.perf_counter()
    for batch in batches(
        repo=inputs["repo"],
        path="/datapoints",
        size=inputs["batch_size"],
        epochs=inputs["epochs"],
        seed=inputs["seed"],
        loaders=inputs["loaders"],
    ):
        images = torch.from_numpy(np.array(batch.arrays["image"], dtype=np.float32)).unsqueeze(1)
        masks = torch.from_numpy(np.array(batch.arrays["mask"], dtype=np.float32)).unsqueeze(1)
        mean = images.mean(dim=(2, 3), keepdim=True)
        std = images.std(dim=(2, 3), keepdim=True).clamp_min(1e-6)
        logits = model((images - mean) / std)
        # The blood pool is a few percent of a slice: weigh its pixels up, or the network
        # learns to predict background everywhere.
        positive = float(masks.sum())
        weight = min(50.0, max(1.0, (masks.numel() - positive) / max(positive, 1.0)))
        loss = nn.functional.binary_cross_entropy_with_logits(logits, masks, pos_weight=torch.tensor(weight))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        predicted = (logits.detach() > 0).float()
        overlap = float((predicted * masks).sum())
        total = float(predicted.sum() + masks.sum())
        epoch = totals.setdefault(batch.epoch, {"loss": 0.0, "batches": 0, "overlap": 0.0, "total": 0.0})
        epoch["loss"] += float(loss)
        epoch["batches"] += 1
        epoch["overlap"] += overlap
        epoch["total"] += total
        count += 1
        seen += images.shape[0]
    elapsed = time.perf_counter() - started
    if count == 0:
        raise SystemExit("the batch session delivered no batches")
    for number in sorted(totals):
        epoch = totals[number]
        dice = 2 * epoch["overlap"] / epoch["total"] if epoch["total"] else 0.0
        metrics.write(json.dumps({"key": "loss", "value": epoch["loss"] / epoch["batches"], "step": number}) + "\n")
        metrics.write(json.dumps({"key": "dice", "value": dice, "step": number}) + "\n")
    metrics.close()
    last = totals[max(totals)]
    dice = 2 * last["overlap"] / last["total"] if last["total"] else 0.0
    folder = os.path.join(os.environ["SLUICE_MODELS"], inputs["model"])
    os.makedirs(folder, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(folder, "segmenter.pt"))
    with open(folder + ".json", "w", encoding="utf-8") as handle:
        json.dump({"metrics": {"dice": dice, "loss": last["loss"] / last["batches"]}, "params": inputs}, handle)
    outputs = {
        "batches": count,
        "datapoints": seen,
        "loss": last["loss"] / last["batches"],
        "first_epoch_loss": totals[min(totals)]["loss"] / totals[min(totals)]["batches"],
        "dice": dice,
        "samples_per_second": seen / elapsed if elapsed > 0 else None,
    }
    with open(os.environ["SLUICE_OUTPUTS"], "w", encoding="utf-8") as handle:
        json.dump(outputs, handle)


if __name__ == "__main__":
    main()

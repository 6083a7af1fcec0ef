#!/usr/bin/env python3
"""The PyTorch peer's evaluation of the cifar10 preset's digital skeleton, for docs/benchmarks.md (memory).

The same network as `train-cifar` in ../shared/bench/torch_peer.py (conv/BN/tanh blocks 12->64->96,
96->128->192, 192->256->256, dense 4096->512->100, 10 classes x 10 units), in eval mode, run over N images
(default the 10 000 of the CIFAR-10 test split, as +-1 thermometer inputs) in batches of 500 under no_grad:
what a user would write to evaluate the network. Prints one JSON object; measure memory with
`/usr/bin/time -v`.

    /usr/bin/python3 experiments/peer/torch_eval_cifar.py --threads 2
"""
import argparse
import json
import time

import torch


def skeleton():
    def block(c_in, c_hid, c_out):
        return [torch.nn.Conv2d(c_in, c_hid, 3, padding=1), torch.nn.BatchNorm2d(c_hid), torch.nn.Tanh(),
                torch.nn.Conv2d(c_hid, c_out, 4, stride=2, padding=1), torch.nn.BatchNorm2d(c_out), torch.nn.Tanh()]
    return torch.nn.Sequential(*block(12, 64, 96), *block(96, 128, 192), *block(192, 256, 256),
                               torch.nn.Flatten(), torch.nn.Linear(256 * 4 * 4, 512), torch.nn.Tanh(),
                               torch.nn.Linear(512, 100))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(0)
    model = skeleton().eval()
    x = torch.where(torch.rand(args.images, 12, 32, 32, generator=g) < 0.5, -1.0, 1.0)
    start = time.perf_counter()
    predictions = []
    with torch.no_grad():
        for i in range(0, args.images, args.batch):
            predictions.append(model(x[i:i + args.batch]).view(-1, 10, 10).sum(2).argmax(1))
    seconds = time.perf_counter() - start
    print(json.dumps({"workload": "eval-cifar", "images": args.images, "batch": args.batch,
                      "seconds": seconds, "images_per_second": args.images / seconds}))

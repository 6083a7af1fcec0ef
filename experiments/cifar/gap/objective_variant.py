#!/usr/bin/env python3
"""Copy a Thermo checkpoint with another surrogate objective in its embedded model definition.

    objective_variant.py IN.safetensors OUT.safetensors ITERATIONS VARIANCE(true|false)

The weights are untouched; only `objective.iterations` and `objective.variance` of the model
definition change, so `thermo eval --mode meanfield` on OUT measures the same network under a
surrogate with more (or fewer) mean-field feedback passes. Used by gap.sh (docs/method.md,
"CIFAR-10: where the surrogate-Gibbs gap comes from").
"""
import json
import struct
import sys

if len(sys.argv) != 5 or sys.argv[4] not in ("true", "false"):
    sys.exit(__doc__)
source, target, iterations, variance = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "true"
if iterations < 1:
    sys.exit("ITERATIONS must be at least 1")
with open(source, "rb") as f:
    size = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(size))
    tensors = f.read()
meta = json.loads(header["__metadata__"]["thermo.checkpoint"])
meta["model"]["objective"]["iterations"] = iterations
meta["model"]["objective"]["variance"] = variance
header["__metadata__"]["thermo.checkpoint"] = json.dumps(meta)
encoded = json.dumps(header).encode()
encoded += b" " * ((8 - len(encoded) % 8) % 8)  # safetensors pads the header to 8 bytes
with open(target, "wb") as f:
    f.write(struct.pack("<Q", len(encoded)) + encoded + tensors)
print(f"{target}: {meta['model']['objective']}")

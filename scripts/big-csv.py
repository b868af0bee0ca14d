#!/usr/bin/env python3
# The 1 000 000 × 10 numeric CSV of issue 15 (85 MB): python3 scripts/big-csv.py big.csv [ROWS].
import random, sys
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
random.seed(1)
with open(sys.argv[1], "w") as f:
    f.write(",".join([f"x{j}" for j in range(1, 10)] + ["y"]) + "\n")
    for _ in range(rows):
        x = [random.gauss(0, 1) for _ in range(9)]
        y = sum((j + 1) * 0.1 * v for j, v in enumerate(x)) + random.gauss(0, 0.1)
        f.write(",".join(f"{v:.5f}" for v in x) + f",{y:.5f}\n")

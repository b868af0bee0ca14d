#!/usr/bin/env python3
"""nnviz's defaults against scikit-learn's MLPClassifier defaults, on the same splits.

Saves iris, wine, breast cancer and digits as CSVs, five stratified 80/20 splits each, trains
`nnviz train` (default options, or those given after `--`) on each training file, predicts the
test file with `nnviz predict`, and prints the mean test accuracy beside MLPClassifier()'s
(after StandardScaler, as nnviz standardises CSV features).

    pip install scikit-learn pandas
    cargo build --release
    python3 scripts/sklearn_parity.py                       # the defaults
    python3 scripts/sklearn_parity.py digits -- --hidden 100 --activation relu

Not run by CI (it needs scikit-learn and minutes of training).
"""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import pandas as pd
from sklearn import datasets
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore")
LOADERS = {
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
    "cancer": datasets.load_breast_cancer,
    "digits": datasets.load_digits,
}
SPLITS = 5
exe = os.environ.get("NNVIZ", os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "nnviz"))
argv = sys.argv[1:]
extra = argv[argv.index("--") + 1 :] if "--" in argv else []
names = (argv[: argv.index("--")] if "--" in argv else argv) or ["iris", "wine", "cancer"]
tmp = tempfile.mkdtemp(prefix="nnviz-sklearn-")

for name in names:
    d = LOADERS[name]()
    frame = pd.DataFrame(d.data, columns=[f"f{i}" for i in range(d.data.shape[1])])
    frame["y"] = [f"c{v}" for v in d.target]
    ours, theirs = [], []
    splits = StratifiedShuffleSplit(n_splits=SPLITS, test_size=0.2, random_state=0)
    for k, (tr, te) in enumerate(splits.split(d.data, d.target)):
        train, test = frame.iloc[tr], frame.iloc[te]
        train_csv, test_csv = f"{tmp}/{name}_{k}_train.csv", f"{tmp}/{name}_{k}_test.csv"
        train.to_csv(train_csv, index=False)
        test.to_csv(test_csv, index=False)
        model = f"{tmp}/{name}_{k}.json"
        run = subprocess.run(
            [exe, "train", "--data", train_csv, "--target", "y", "--test-fraction", "0",
             "--seed", str(k + 1), "--save-model", model, "--json"] + extra,
            capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"{name} split {k}: {run.stderr.strip()}")
        json.loads(run.stdout.strip().splitlines()[-1])
        pred = subprocess.run([exe, "predict", "--model", model, "--data", test_csv],
                              capture_output=True, text=True, check=True)
        rows = list(csv.DictReader(io.StringIO(pred.stdout)))
        column = next(c for c in rows[0] if c.startswith("pred"))
        ours.append(np.mean([r[column] == y for r, y in zip(rows, test["y"])]))
        sk = make_pipeline(StandardScaler(), MLPClassifier(random_state=k))
        sk.fit(train.drop(columns="y"), train["y"])
        theirs.append(np.mean(sk.predict(test.drop(columns="y")) == test["y"]))
    print(f"{name:7} nnviz {np.mean(ours):.3f}  MLPClassifier {np.mean(theirs):.3f}  "
          f"({SPLITS} splits; nnviz options: {' '.join(extra) or 'defaults'})", flush=True)

"""The rows the numpy models (bound_model.py, screen_model.py) run Lloyd on, with the workload's K: W1, W2 and W3 from
the files datasets.py writes, fashion-mnist from Debian's dataset-fashion-mnist (60,000 x 784 pixels as float32)."""
import gzip

import numpy as np

import datasets

FASHION = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
FILES = {"W1": "lance-pr", "W2": "lance-1024d", "W3": "blobs"}


def rows_of(name, directory):
    if name == "fashion-mnist":
        raw = gzip.open(FASHION).read()
        return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 784).astype(np.float32), 64
    data, meta = datasets.load(f"{directory}/{FILES[name]}.f32")
    return data, meta["k"]

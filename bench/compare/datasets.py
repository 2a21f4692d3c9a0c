#!/usr/bin/python3
"""The benchmark workloads as raw float32 files, and how every comparison script loads them.

Each workload is written once as NAME.f32 (little-endian float32, n x d, row-major, no header) and NAME.json
(its shape, seed, recipe and SHA-256). The bytes depend only on the seed: numpy's PCG64 generator fills the rows in
blocks of 65,536, so any machine with numpy produces the same files and every system trains the same rows.

Usage: datasets.py [--dir /tmp/kmeans-bench] [--force] [NAME ...]      (default: every workload)
"""
import argparse
import hashlib
import json
import os

import numpy as np

WORKLOADS = {
    # name: (rows, dimension, clusters, seed, kind); W1..W4 in bench/README.md
    "lance-pr": (131072, 128, 512, 1, "uniform01"),
    "lance-1024d": (65536, 1024, 256, 2, "uniform01"),
    "blobs": (131072, 128, 512, 3, "blobs"),
    "large": (1048576, 128, 4096, 4, "uniform01"),
}
BLOCK_ROWS = 65536
DEFAULT_DIRECTORY = "/tmp/kmeans-bench"


def sidecar_path(data_path):
    return os.path.splitext(data_path)[0] + ".json"


def load(data_path):
    """(rows as a float32 n x d array, the sidecar as a dict) of a NAME.f32 written by this script."""
    with open(sidecar_path(data_path)) as f:
        meta = json.load(f)
    rows = np.fromfile(data_path, dtype="<f4")
    if rows.size != meta["n"] * meta["d"]:
        raise SystemExit(f"{data_path} holds {rows.size} floats, its sidecar says {meta['n']} x {meta['d']}")
    return rows.reshape(meta["n"], meta["d"]), meta


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 24), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_current(data_path, expected):
    """True when the file exists with the expected size and a sidecar describing the same workload."""
    if not (os.path.exists(data_path) and os.path.exists(sidecar_path(data_path))):
        return False
    try:
        with open(sidecar_path(data_path)) as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return False
    same = all(meta.get(key) == value for key, value in expected.items())
    return same and os.path.getsize(data_path) == expected["n"] * expected["d"] * 4


def write_rows(path, blocks):
    """Writes the blocks to a temporary file beside the target, then renames it, so a stopped run leaves no half file."""
    temporary = path + ".partial"
    with open(temporary, "wb") as f:
        for block in blocks:
            block.astype("<f4", copy=False).tofile(f)
    os.replace(temporary, path)


def generate(name, directory, force):
    n, d, k, seed, kind = WORKLOADS[name]
    data_path = os.path.join(directory, name + ".f32")
    meta = {"name": name, "n": n, "d": d, "k": k, "seed": seed, "kind": kind}
    if not force and is_current(data_path, meta):
        print(f"{name}: {data_path} is current")
        return
    rng = np.random.Generator(np.random.PCG64(seed))
    starts = range(0, n, BLOCK_ROWS)
    if kind == "uniform01":
        meta["recipe"] = f"per {BLOCK_ROWS}-row block: rng.random((rows, d), dtype=float32)"
        write_rows(data_path, (rng.random((min(BLOCK_ROWS, n - s), d), dtype=np.float32) for s in starts))
    else:
        # n / k points per centre, in a shuffled order, each centre plus standard normal noise.
        centres = rng.uniform(0.0, 10.0, size=(k, d)).astype(np.float32)
        labels = np.repeat(np.arange(k, dtype=np.int32), n // k)
        rng.shuffle(labels)
        meta["recipe"] = (f"centres = rng.uniform(0, 10, (k, d)) as float32; labels = repeat(arange(k), n / k) "
                          f"shuffled; per {BLOCK_ROWS}-row block: centres[labels] + rng.standard_normal(float32)")
        write_rows(data_path, (centres[labels[s:s + BLOCK_ROWS]]
                               + rng.standard_normal((min(BLOCK_ROWS, n - s), d), dtype=np.float32) for s in starts))
        centres.astype("<f4").tofile(os.path.join(directory, name + ".centers.f32"))
        labels.astype("<i4").tofile(os.path.join(directory, name + ".labels.i32"))
    meta.update(dtype="float32", byteorder="little", layout="row-major n x d, no header", bytes=n * d * 4,
                chunk_rows=BLOCK_ROWS, generator="numpy.random.Generator(PCG64(seed))", sha256=file_sha256(data_path))
    with open(sidecar_path(data_path), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"{name}: wrote {data_path} ({n * d * 4 / 2 ** 20:.0f} MiB), sha256 {meta['sha256'][:16]}...")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", default=list(WORKLOADS), help=", ".join(WORKLOADS))
    parser.add_argument("--dir", default=DEFAULT_DIRECTORY)
    parser.add_argument("--force", action="store_true", help="rewrite files that are already current")
    options = parser.parse_args()
    unknown = [name for name in options.names if name not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload {', '.join(unknown)}: expected {', '.join(WORKLOADS)}")
    os.makedirs(options.dir, exist_ok=True)
    for name in options.names:
        generate(name, options.dir, options.force)


if __name__ == "__main__":
    main()

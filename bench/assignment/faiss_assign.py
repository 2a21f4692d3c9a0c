#!/usr/bin/python3
"""FAISS IndexFlatL2.search over the same .npy rows and centroids as our assignment, the reference for the bench's
'assign' scenario. Loading the files is not timed; the search is, once per call. Prints one line:
RESULT <seconds> <label checksum> (the checksum is the sum of labels, compared with ours by the caller)."""
import sys
import time

import faiss
import numpy


def main() -> int:
    if len(sys.argv) != 4:
        print("usage: faiss_assign.py ROWS.npy CENTROIDS.npy NEAREST", file=sys.stderr)
        return 2
    rows = numpy.ascontiguousarray(numpy.load(sys.argv[1]), dtype=numpy.float32)
    centroids = numpy.ascontiguousarray(numpy.load(sys.argv[2]), dtype=numpy.float32)
    nearest = int(sys.argv[3])
    index = faiss.IndexFlatL2(centroids.shape[1])
    index.add(centroids)
    start = time.perf_counter()
    _, labels = index.search(rows, nearest)
    seconds = time.perf_counter() - start
    print(f"RESULT {seconds:.6f} {int(labels[:, 0].sum())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

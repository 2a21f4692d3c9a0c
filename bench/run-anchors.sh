#!/usr/bin/env bash
# Side-by-side run: scikit-learn (Lloyd, random init, 20 iterations), FAISS (20 iterations) and our bench on the
# same raw float32 files, one after the other in one run, then the same inertia metric for all three centroid sets.
#
# Usage: bench/run-anchors.sh [W1 W2 W3 W4]          (default: W1 W2 W3; W4 takes minutes per system)
# Environment: DATA_DIR (default /tmp/kmeans-bench), OUT_DIR (default $DATA_DIR/anchors-<UTC time>),
#              ANCHORS_DIR (default /work/shared/anchors), THREADS (default: all cores).
# Settings: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (OpenBLAS then picks its AVX-512 kernels), FAISS with
# OMP_WAIT_POLICY=PASSIVE (its faster setting here). Never part of build or tests.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
anchors=${ANCHORS_DIR:-/work/shared/anchors}
data=${DATA_DIR:-/tmp/kmeans-bench}
out=${OUT_DIR:-$data/anchors-$(date -u +%Y%m%dT%H%M%SZ)}
threads=${THREADS:-$(nproc)}
python=/usr/bin/python3
workloads=("$@")
[ ${#workloads[@]} -eq 0 ] && workloads=(W1 W2 W3)

if ! "$python" -c 'import numpy, sklearn, faiss, threadpoolctl' 2>/dev/null; then
  echo "scikit-learn or FAISS is missing. Install Debian's packages (not pip):" >&2
  echo "  apt-get update && apt-get install -y python3-numpy python3-sklearn python3-faiss" >&2
  exit 2
fi

# Debian's numpy falls back to the reference BLAS (about 100× slower) unless an optimised one is installed.
if ! "$python" -c 'import numpy, sys; from threadpoolctl import threadpool_info
sys.exit(0 if any(p["internal_api"] in ("openblas", "blis", "mkl") for p in threadpool_info()) else 1)'; then
  echo "numpy runs on the reference BLAS, so scikit-learn and FAISS would be timed far below their speed. Install:" >&2
  echo "  apt-get install -y libopenblas0-pthread" >&2
  exit 2
fi

dataset_of() {
  case "$1" in
    W1) echo lance-pr ;; W2) echo lance-1024d ;; W3) echo blobs ;; W4) echo large ;;
    *) echo "Unknown workload '$1': expected W1, W2, W3 or W4." >&2; exit 2 ;;
  esac
}

for w in "${workloads[@]}"; do
  name=$(dataset_of "$w")
  if [ ! -f "$data/$name.f32" ] || [ ! -f "$data/$name.json" ]; then
    echo "$data/$name.f32 is missing. Generate it with: $python $anchors/gen_data.py --dir $data $name" >&2
    exit 2
  fi
done

# Runs a command and writes to $1 the share of the machine's CPU time that other processes used meanwhile
# (/proc/stat counts every process on the machine; getrusage counts the command and its waited-for children).
measured() {
  local record=$1
  shift
  "$python" -c '
import json, resource, subprocess, sys
def ticks():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    return sum(f) - f[3] - f[4], sum(f)
b0, t0 = ticks()
code = subprocess.call(sys.argv[2:])
b1, t1 = ticks()
r = resource.getrusage(resource.RUSAGE_CHILDREN)
hz = 100.0
others = max(0.0, (b1 - b0) / hz - (r.ru_utime + r.ru_stime)) / max(1e-9, (t1 - t0) / hz)
json.dump({"others_cpu_share": min(1.0, others), "exit_code": code}, open(sys.argv[1], "w"))
sys.exit(code)
' "$record" "$@"
}

mkdir -p "$out"
echo "Building the bench (Release)..." >&2
dotnet build -c Release "$repo/bench/KMeans.Bench/KMeans.Bench.csproj" -nologo -v quiet >&2
bench=(dotnet "$repo/bench/KMeans.Bench/bin/Release/net10.0/KMeans.Bench.dll")

started=$(date -u '+%Y-%m-%d %H:%M UTC')
# The BLAS the anchors use, as a ceiling reference: best of 3 float32 4096³ products on all cores.
measured "$out/sgemm.cpu.json" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" -c '
import json, sys, time
import numpy as np
from threadpoolctl import threadpool_info
a = np.random.default_rng(0).random((4096, 4096), dtype=np.float32)
a @ a
best = float("inf")
for _ in range(3):
    t = time.perf_counter(); a @ a; best = min(best, time.perf_counter() - t)
pools = [(p["internal_api"], p.get("architecture"), p["num_threads"]) for p in threadpool_info()]
json.dump({"gflops": 2 * 4096 ** 3 / best / 1e9, "pools": pools}, open(sys.argv[1], "w"))
' "$out/sgemm.json"
for w in "${workloads[@]}"; do
  name=$(dataset_of "$w")
  file="$data/$name.f32"
  echo "== $w ($name)" >&2
  measured "$out/$name.sklearn.cpu.json" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE -u OMP_WAIT_POLICY \
    "$python" "$anchors/run_sklearn.py" --data "$file" --algorithm lloyd --init random --iters 20 \
      --centroids "$out/$name.sklearn.f32" --out "$out/$name.sklearn.json" >&2
  measured "$out/$name.faiss.cpu.json" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE \
    "$python" "$anchors/run_faiss.py" --data "$file" --niter 20 \
      --centroids "$out/$name.faiss.f32" --out "$out/$name.faiss.json" >&2
  measured "$out/$name.kmeans.cpu.json" "${bench[@]}" workloads --workload "$w" --threads "$threads" --data-dir "$data" \
      --centroids-out "$out" --json "$out/$name.kmeans.json" >&2
  for system in sklearn faiss kmeans-in-memory kmeans-on-disk; do
    "$python" "$anchors/inertia.py" "$file" "$out/$name.$system.f32" > "$out/$name.$system.inertia.json"
  done
done

"$python" - "$out" "$started" "${workloads[@]}" <<'PY' | tee "$out/summary.txt"
import json, os, statistics, sys
out, started, workloads = sys.argv[1], sys.argv[2], sys.argv[3:]
names = {"W1": "lance-pr", "W2": "lance-1024d", "W3": "blobs", "W4": "large"}
load = lambda p: json.load(open(os.path.join(out, p)))
print(f"Anchors run started {started}; files in {out}")
sg = load("sgemm.json")
print(f"BLAS reference: numpy float32 4096^3 sgemm {sg['gflops']:.0f} GFLOP/s ({sg['pools']}), "
      f"others {100 * load('sgemm.cpu.json')['others_cpu_share']:.0f} %")
print("ms/iter: sklearn (train - init) / iters; FAISS median per-iteration time; KMeans median IterationReport.Elapsed.")
print("inertia/n: /work/shared/anchors/inertia.py on each system's final centroids (same metric for all).")
print("others %: share of the machine's CPU used by other processes during that system's run (0 = clean).")
print(f"{'workload':8}  {'system':17}  {'iters':>5}  {'ms/iter':>9}  {'vs KMeans':>9}  {'train s':>8}  {'GFLOP/s':>7}  {'inertia/n':>10}  {'empty':>5}  {'others %':>8}")
for w in workloads:
    n = names[w]
    sk, fa, km = load(f"{n}.sklearn.json"), load(f"{n}.faiss.json"), load(f"{n}.kmeans.json")
    flops = 2.0 * sk["n"] * sk["k"] * sk["d"]
    rows = []
    share = lambda system: load(f"{n}.{system}.cpu.json")["others_cpu_share"]
    rows.append(("sklearn lloyd", sk["iters"], 1e3 * (sk["train_s"] - sk["init_s"]) / sk["iters"], sk["train_s"], "sklearn", share("sklearn")))
    rows.append(("faiss", fa["iters"], 1e3 * statistics.median(fa["iter_s"]), fa["train_s"], "faiss", share("faiss")))
    ours = {}
    for r in km["workloads"]:
        m = r["measurement"]
        ours[m["buffer"]] = m
        rows.append((f"KMeans {m['buffer']}", m["iterations"], m["medianIterationMs"], m["trainWallMs"] / 1e3,
                     f"kmeans-{m['buffer']}", m["othersCpuShare"]))
    base = ours["in-memory"]["medianIterationMs"]
    for label, iters, ms, train, key, others in rows:
        inert = load(f"{n}.{key}.inertia.json")
        print(f"{w:8}  {label:17}  {iters:5d}  {ms:9.1f}  {ms / base:8.2f}x  {train:8.2f}  {flops / (ms * 1e6):7.0f}  "
              f"{inert['inertia_per_n']:10.5f}  {inert['empty_clusters']:5d}  {100 * others:8.0f}")
    faiss_final = load(f"{n}.faiss.inertia.json")["inertia_per_n"]
    m = ours["in-memory"]
    elapsed = m["beforeFirstIterationMs"] or 0.0
    reached = None
    for i, (ms, loss) in enumerate(zip(m["iterationMs"], m["lossPerRowHistory"])):
        elapsed += ms
        if loss <= faiss_final:
            reached = (i + 1, elapsed)
            break
    if reached:
        print(f"{w:8}  KMeans reaches FAISS's final inertia/n {faiss_final:.5f} after {reached[0]} iterations, "
              f"{reached[1]:.0f} ms = {reached[1] / (1e3 * fa['train_s']):.2f}x FAISS's train time")
    else:
        print(f"{w:8}  KMeans does not reach FAISS's final inertia/n {faiss_final:.5f} within {m['iterations']} iterations")
print()
print("vs KMeans = system ms/iter over KMeans in-memory ms/iter (above 1: KMeans is faster).")
PY

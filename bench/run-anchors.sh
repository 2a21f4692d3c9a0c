#!/usr/bin/env bash
# Side-by-side run: scikit-learn (Lloyd, random init, 20 iterations), FAISS (20 iterations) and our bench on the
# same raw float32 files, one after the other in one run, then the same inertia metric for all three centroid sets.
#
# Usage: bench/run-anchors.sh [W1 W2 W3 W4]          (default: W1 W2 W3; W4 takes minutes per system)
# Environment: DATA_DIR (default /tmp/kmeans-bench), OUT_DIR (default $DATA_DIR/anchors-<UTC time>),
#              THREADS (default: all cores),
#              REPEAT (default 1): rounds of all systems; each system's figure is the median over its rounds that
#              other jobs left undisturbed (a shared machine), else over all rounds.
# Settings: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (OpenBLAS then picks its AVX-512 kernels), FAISS with
# OMP_WAIT_POLICY=PASSIVE (its faster setting here). Never part of build or tests.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
compare=$repo/bench/compare
data=${DATA_DIR:-/tmp/kmeans-bench}
out=${OUT_DIR:-$data/anchors-$(date -u +%Y%m%dT%H%M%SZ)}
threads=${THREADS:-$(nproc)}
repeat=${REPEAT:-1}
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
    echo "$data/$name.f32 is missing. Generate it with: $python $compare/datasets.py --dir $data $name" >&2
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
# The BLAS the anchors use, as a ceiling reference: 3 float32 4096³ products on all cores, the best and the median
# rate written to $1.
sgemm() {
  measured "$1.cpu.json" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" -c '
import json, sys, time
import numpy as np
from threadpoolctl import threadpool_info
a = np.random.default_rng(0).random((4096, 4096), dtype=np.float32)
a @ a
times = []
for _ in range(3):
    t = time.perf_counter(); a @ a; times.append(time.perf_counter() - t)
pools = [(p["internal_api"], p.get("architecture"), p["num_threads"]) for p in threadpool_info()]
json.dump({"gflops": 2 * 4096 ** 3 / min(times) / 1e9, "median_gflops": 2 * 4096 ** 3 / sorted(times)[1] / 1e9,
           "pools": pools}, open(sys.argv[1], "w"))
' "$1.json"
}
sgemm "$out/sgemm"
for round in $(seq 1 "$repeat"); do
  dir="$out/round$round"
  mkdir -p "$dir"
  for w in "${workloads[@]}"; do
    name=$(dataset_of "$w")
    file="$data/$name.f32"
    echo "== round $round/$repeat: $w ($name)" >&2
    measured "$dir/$name.sklearn.cpu.json" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE -u OMP_WAIT_POLICY \
      "$python" "$compare/train_sklearn.py" --data "$file" --algorithm lloyd --init random --iters 20 \
        --centroids "$dir/$name.sklearn.f32" --out "$dir/$name.sklearn.json" >&2
    measured "$dir/$name.faiss.cpu.json" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE \
      "$python" "$compare/train_faiss.py" --data "$file" --niter 20 \
        --centroids "$dir/$name.faiss.f32" --out "$dir/$name.faiss.json" >&2
    # Measured again just before our run, so that its bound sees the machine as our run does (other tenants of the
    # host come and go within minutes).
    sgemm "$dir/$name.sgemm"
    measured "$dir/$name.kmeans.cpu.json" "${bench[@]}" workloads --workload "$w" --threads "$threads" \
        --data-dir "$data" --centroids-out "$dir" --json "$dir/$name.kmeans.json" >&2
    if [ "$round" -eq 1 ]; then
      for system in sklearn faiss kmeans-in-memory kmeans-on-disk; do
        "$python" "$compare/inertia.py" "$file" "$dir/$name.$system.f32" > "$out/$name.$system.inertia.json"
      done
    fi
  done
done

"$python" - "$out" "$started" "$repeat" "${workloads[@]}" <<'PY' | tee "$out/summary.txt"
import json, os, statistics, sys
out, started, repeat, workloads = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
names = {"W1": "lance-pr", "W2": "lance-1024d", "W3": "blobs", "W4": "large"}
CLEAN = 0.10
load = lambda p: json.load(open(os.path.join(out, p)))
print(f"Anchors run started {started}; {repeat} round(s), files in {out}")
sg = load("sgemm.json")
print(f"BLAS reference: numpy float32 4096^3 sgemm {sg['gflops']:.0f} GFLOP/s, median of 3 "
      f"{sg['median_gflops']:.0f} ({sg['pools']}), "
      f"others {100 * load('sgemm.cpu.json')['others_cpu_share']:.0f} %")
print("ms/iter: sklearn (train - init) / iters; FAISS median per-iteration time; KMeans median IterationReport.Elapsed;")
print(f"  per system the median over rounds whose others % (CPU share of other processes) was <= {100 * CLEAN:.0f}, else over all rounds.")
print("inertia/n: bench/compare/inertia.py on each system's final centroids of round 1 (same metric for all).")
print("x bound: ms/iter over the sgemm bound 2·n·K·d ÷ the best of three sgemm rates measured again just before that")
print("  round's KMeans run; x med: the same over the median of those three rates (each system's ms/iter is a median or")
print("  a mean over its iterations, so a quiet moment then counts for both sides, as in the bench's update scenario).")
print(f"{'workload':8}  {'system':17}  {'iters':>5}  {'ms/iter':>9}  {'vs KMeans':>9}  {'x bound':>7}  {'x med':>6}  "
      f"{'train s':>8}  {'GFLOP/s':>7}  {'inertia/n':>10}  {'empty':>5}  {'clean/runs':>10}  {'others %':>8}")

def pick(runs):
    """runs: list of (ms, train_s, others, x bound, x median bound); the clean ones if any, else all."""
    clean = [r for r in runs if r[2] <= CLEAN]
    chosen = clean or runs
    return (statistics.median(r[0] for r in chosen), statistics.median(r[1] for r in chosen),
            len(clean), len(runs), statistics.median(r[2] for r in chosen), statistics.median(r[3] for r in chosen),
            statistics.median(r[4] for r in chosen))

for w in workloads:
    n = names[w]
    systems = {}
    for rnd in range(1, repeat + 1):
        d = f"round{rnd}"
        sk, fa, km = load(f"{d}/{n}.sklearn.json"), load(f"{d}/{n}.faiss.json"), load(f"{d}/{n}.kmeans.json")
        share = lambda system: load(f"{d}/{n}.{system}.cpu.json")["others_cpu_share"]
        flops = 2.0 * sk["n"] * sk["k"] * sk["d"]
        rates = load(f"{d}/{n}.sgemm.json")
        bound_ms = flops / (rates["gflops"] * 1e6)
        median_bound_ms = flops / (rates["median_gflops"] * 1e6)
        sk_ms = 1e3 * (sk["train_s"] - sk["init_s"]) / sk["iters"]
        systems.setdefault(("sklearn lloyd", "sklearn", sk["iters"]), []).append(
            (sk_ms, sk["train_s"], share("sklearn"), sk_ms / bound_ms, sk_ms / median_bound_ms))
        fa_ms = 1e3 * statistics.median(fa["iter_s"])
        systems.setdefault(("faiss", "faiss", fa["iters"]), []).append(
            (fa_ms, fa["train_s"], share("faiss"), fa_ms / bound_ms, fa_ms / median_bound_ms))
        for r in km["workloads"]:
            m = r["measurement"]
            ms = m["medianIterationMs"]
            systems.setdefault((f"KMeans {m['buffer']}", f"kmeans-{m['buffer']}", m["iterations"]), []).append(
                (ms, m["trainWallMs"] / 1e3, m["othersCpuShare"], ms / bound_ms, ms / median_bound_ms))
    picked = {key: pick(runs) for key, runs in systems.items()}
    base = next(v for k, v in picked.items() if k[1] == "kmeans-in-memory")[0]
    for (label, key, iters), (ms, train, clean, total, others, bound, median_bound) in picked.items():
        inert = load(f"{n}.{key}.inertia.json")
        print(f"{w:8}  {label:17}  {iters:5d}  {ms:9.1f}  {ms / base:8.2f}x  {bound:6.2f}x  {median_bound:5.2f}x  "
              f"{train:8.2f}  {flops / (ms * 1e6):7.0f}  {inert['inertia_per_n']:10.5f}  {inert['empty_clusters']:5d}  "
              f"{f'{clean}/{total}':>10}  {100 * others:8.0f}")
    faiss_final = load(f"{n}.faiss.inertia.json")["inertia_per_n"]
    faiss_train = next(v for k, v in picked.items() if k[1] == "faiss")[1]
    m = next(r["measurement"] for r in load(f"round1/{n}.kmeans.json")["workloads"] if r["measurement"]["buffer"] == "in-memory")
    scale = base / m["medianIterationMs"]
    elapsed = (m["beforeFirstIterationMs"] or 0.0) * scale
    reached = None
    for i, (ms, loss) in enumerate(zip(m["iterationMs"], m["lossPerRowHistory"])):
        elapsed += ms * scale
        if loss <= faiss_final:
            reached = (i + 1, elapsed)
            break
    if reached:
        print(f"{w:8}  KMeans reaches FAISS's final inertia/n {faiss_final:.5f} after {reached[0]} iterations, "
              f"~{reached[1]:.0f} ms = {reached[1] / (1e3 * faiss_train):.2f}x FAISS's train time")
    else:
        print(f"{w:8}  KMeans does not reach FAISS's final inertia/n {faiss_final:.5f} within {m['iterations']} iterations")
print()
print("vs KMeans = system ms/iter over KMeans in-memory ms/iter (above 1: KMeans is faster). The time to FAISS's loss")
print("scales round 1's per-iteration times to the reported KMeans in-memory median.")
PY

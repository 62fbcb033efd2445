"""The package's MNIST training throughput beside the plain PyTorch reference, in one run.

    python benchmarks/compare_reference.py                  # default (auto), plain, xla and torch, 3 rounds
    python benchmarks/compare_reference.py --isa avx2       # the same with AVX2 kernels only
    python benchmarks/compare_reference.py --rounds 5 --configs default xla same_minibatch

Each round runs every configuration once, interleaved (torch, then each package
configuration), each in its own process on the same random batch size, so slow
drifts of the machine (clock, other load) hit all of them alike. Printed per
configuration: the median images/s over rounds, every round's figure, the ratio to
the PyTorch reference, the arithmetic work per image and the share of the
machine's float32 FMA peak it reaches.

The reference is `../shared/reference/torch_infogan.py` (the paper's MNIST networks
in plain PyTorch; its G step reuses the D step's fakes). It runs in its own
virtualenv, made here on first use with the pinned CPU wheel `torch==2.13.0`
(`--venv`, default ~/.cache/keras_infogan/torch-venv); if that cannot be made, the
torch column is skipped with a message.

Work per image (multiply-adds x 2, counted from the networks' layers): with G and D
the forward cost of the generator and of the trunk with both heads, one alternating
step (the package's default) costs 4G + 8D (D step: G forward, D forward and
backward on real and fake; G step: a fresh G forward, D forward, D's input
gradient, G backward), the reference's and `same_minibatch`'s one generator pass
fewer (3G + 8D and 3G + 7D). Peak = cores x clock x FLOPs per cycle per core:
2 FMA pipes x 2 FLOPs x 8 float32 lanes (AVX2, and AMD's AVX-512, which issues
512-bit FMAs as two 256-bit halves), or x 16 lanes on Intel CPUs with AVX-512. The
clock is the highest `cpu MHz` in /proc/cpuinfo (cpufreq's maximum where the
kernel exposes it).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "torch_infogan.py"
DEFAULT_VENV = Path.home() / ".cache" / "keras_infogan" / "torch-venv"
TORCH_PIN = "torch==2.13.0"
CONFIGS = {
    "default": {},  # jit_compile "auto", measured as train() measures it (outside the timed steps)
    "plain": {"jit_compile": False},
    "xla": {"jit_compile": True},
    "same_minibatch": {"update": "same_minibatch"},
    "same_minibatch_xla": {"update": "same_minibatch", "jit_compile": True},
    "no_onednn": {"jit_compile": False},  # TensorFlow's own kernels instead of oneDNN's (CONFIG_ENV)
}
ISA_LIMITS = {"avx2": {"ONEDNN_MAX_CPU_ISA": "AVX2", "DNNL_MAX_CPU_ISA": "AVX2", "XLA_FLAGS": "--xla_cpu_max_isa=AVX2",
                        "ATEN_CPU_CAPABILITY": "avx2"}}
# Configurations that differ by environment (set before TensorFlow is imported in the child).
CONFIG_ENV = {"no_onednn": {"TF_ENABLE_ONEDNN_OPTS": "0"}}
# Generator passes and D passes (in forward-cost units) per image of one training step.
WORK = {"alternating": (4, 8), "same_minibatch": (3, 7), "torch": (3, 8)}


# ---- the machine ----

def cpu_facts() -> dict:
    """Model name, cores, clock (GHz), lanes and FLOPs/cycle/core of this CPU, from /proc/cpuinfo."""
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    field = lambda key: next((line.split(":", 1)[1].strip() for line in text.splitlines()  # noqa: E731
                              if line.startswith(key)), "")
    flags = set(field("flags").split())
    mhz = [float(line.split(":")[1]) for line in text.splitlines() if line.startswith("cpu MHz")]
    max_freq = Path("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")
    ghz = int(max_freq.read_text()) / 1e6 if max_freq.exists() else max(mhz, default=0.0) / 1000
    intel_512 = "avx512f" in flags and field("vendor_id") == "GenuineIntel"
    lanes = 16 if intel_512 else 8 if {"avx2", "fma"} <= flags else 4
    cores = len(os.sched_getaffinity(0))
    return {"model": field("model name"), "cores": cores, "ghz": ghz, "avx512": "avx512f" in flags,
            "lanes": lanes, "flops_per_cycle": 2 * 2 * lanes, "peak_gflops": cores * ghz * 2 * 2 * lanes}


# ---- the networks' work ----

def forward_flops(net) -> int:
    """FLOPs (2 x multiply-adds) of one image through a built Keras network's Dense and conv layers."""
    import keras

    total = 0
    for layer in _leaf_layers(net):
        if isinstance(layer, keras.layers.Dense):
            total += layer.kernel.shape[0] * layer.kernel.shape[1]
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            height, width = layer.input.shape[1:3]
            total += height * width * int(_size(layer.kernel.shape))
        elif isinstance(layer, keras.layers.Conv2D):
            height, width = layer.output.shape[1:3]
            total += height * width * int(_size(layer.kernel.shape))
    return 2 * total


def _leaf_layers(net):
    for layer in net.layers:
        yield from (_leaf_layers(layer) if hasattr(layer, "layers") else [layer])


def _size(shape) -> int:
    size = 1
    for dim in shape:
        size *= int(dim)
    return size


# ---- one measurement, in a child process ----

def measure_package(name: str, batch: int, steps: int, warmup: int) -> dict:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from common import noise_dataset
    from keras_infogan import TrainConfig, build_model

    config = TrainConfig(batch_size=batch, **CONFIGS[name])
    dataset = noise_dataset(batch, config.image_shape())
    lines = []
    if config.jit_compile == "auto":
        import tempfile

        import numpy as np

        from keras_infogan.xla_choice import MIN_STEPS, choose_jit_compile

        images = np.random.default_rng(0).integers(0, 256, (16 * batch, *config.image_shape()), dtype=np.uint8)
        with tempfile.TemporaryDirectory() as folder:
            chosen = choose_jit_compile(config, build_model, images, 1, MIN_STEPS, Path(folder), resuming=False,
                                        log=lines.append)
        config = dataclasses.replace(config, jit_compile=chosen)
    model = build_model(config)
    model.fit(dataset, steps_per_epoch=warmup, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    g, d = forward_flops(model.generator), forward_flops(model.trunk) + forward_flops(model.d_head) \
        + forward_flops(model.q_head)
    passes = WORK[config.update]
    return {"images_per_s": steps * batch / seconds, "auto_log": " ".join(lines),
            "gflop_per_image": (passes[0] * g + passes[1] * d) / 1e9,
            "g_gflop": g / 1e9, "d_gflop": d / 1e9}


def measure_torch(python: Path, batch: int, steps: int, warmup: int, threads: int) -> dict:
    run = subprocess.run([str(python), str(REFERENCE), "--batch-size", str(batch), "--steps", str(steps),
                          "--warmup", str(warmup), "--threads", str(threads)], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(run.stderr[-2000:])
    return json.loads(run.stdout.strip().splitlines()[-1])


def torch_python(venv: Path) -> Path | None:
    """The reference virtualenv's python (made on first use), or None with a message."""
    python = venv / "bin" / "python"
    if python.exists() and subprocess.run([str(python), "-c", "import torch, numpy"],
                                          capture_output=True).returncode == 0:
        return python
    print(f"making the reference virtualenv {venv} ({TORCH_PIN}, CPU wheel) ...", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", TORCH_PIN, "numpy"], check=True,
                       capture_output=True, text=True)
    except (subprocess.CalledProcessError, OSError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        print(f"skipping the PyTorch reference: cannot install {TORCH_PIN} into {venv}: "
              f"{str(detail).strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return python


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", nargs="+", choices=sorted(CONFIGS), default=["default", "plain", "xla"],
                        help="package configurations to run (default: default plain xla; default is "
                             "jit_compile auto, which measures both and keeps the faster)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default: 3)")
    parser.add_argument("--steps", type=int, default=60, help="timed steps per run (default: 60)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps first (default: 10)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help=f"reference virtualenv (default: {DEFAULT_VENV})")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch reference")
    parser.add_argument("--isa", choices=sorted(ISA_LIMITS), default=None,
                        help="limit every implementation's kernels to this instruction set (oneDNN in TensorFlow "
                             "and PyTorch, XLA, PyTorch's own kernels): avx2 stands in for an AVX2-only CPU on "
                             "an AVX-512 one (TensorFlow's Eigen kernels use AVX either way)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_package(args.child, args.batch_size, args.steps, args.warmup)))
        return
    if args.isa:
        os.environ.update(ISA_LIMITS[args.isa])  # inherited by every child process
        print(f"instruction sets limited to {args.isa}: {ISA_LIMITS[args.isa]}")
    cpu = cpu_facts()
    print(f"CPU: {cpu['model']}, {cpu['cores']} cores, {cpu['ghz']:.2f} GHz, AVX-512: {cpu['avx512']}; "
          f"float32 FMA peak {cpu['peak_gflops']:.0f} GFLOP/s ({cpu['flops_per_cycle']} FLOPs/cycle/core)")
    python = None if args.no_torch or not REFERENCE.exists() else torch_python(args.venv)
    names = (["torch"] if python else []) + list(args.configs)
    results = {name: [] for name in names}
    work = {"torch": None}
    for round_ in range(args.rounds):
        for name in names:
            if name == "torch":
                result = measure_torch(python, args.batch_size, args.steps, args.warmup, cpu["cores"])
            else:
                child = subprocess.run([sys.executable, __file__, "--child", name, "--batch-size", str(args.batch_size),
                                        "--steps", str(args.steps), "--warmup", str(args.warmup)],
                                       capture_output=True, text=True, env={**os.environ, **CONFIG_ENV.get(name, {})})
                if child.returncode != 0:
                    raise SystemExit(f"{name} failed:\n{child.stderr[-3000:]}")
                result = json.loads(child.stdout.strip().splitlines()[-1])
                work[name] = result["gflop_per_image"]
                work["torch"] = (WORK["torch"][0] * result["g_gflop"] + WORK["torch"][1] * result["d_gflop"])
            results[name].append(result["images_per_s"])
            chose = f" ({result['auto_log']})" if result.get("auto_log") else ""
            print(f"round {round_ + 1}: {name} {result['images_per_s']:.1f} images/s{chose}", file=sys.stderr,
                  flush=True)
    torch_median = statistics.median(results["torch"]) if "torch" in results else None
    print(f"\n| implementation | images/s (median of {args.rounds}) | rounds | vs PyTorch | GFLOP/image | "
          f"share of FMA peak |\n|---|---|---|---|---|---|")
    for name in names:
        median = statistics.median(results[name])
        ratio = f"{median / torch_median:.2f}x" if torch_median else "-"
        share = f"{median * work[name] / cpu['peak_gflops']:.0%}" if work.get(name) else "-"
        gflop = f"{work[name]:.3f}" if work.get(name) else "-"
        label = f"PyTorch {TORCH_PIN.split('==')[1]} reference" if name == "torch" else f"keras-infogan {name}"
        print(f"| {label} | {median:.0f} | {', '.join(f'{v:.0f}' for v in results[name])} | {ratio} | {gflop} | "
              f"{share} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""sockspec benchmarks: the wall time a user waits, against its floor.

    scripts/bench.py [BIN] [--runs N] [--out BENCHMARKS.md] [--label NAME]

Figures (each the median of N runs):
  - the whole built-in suite against the references, --jobs 1 and 2;
  - each role's suite against a correct Python fixture, --jobs 1 and 2, with
    its floor and the ratio actual / floor;
  - property cases per second, against a reference and a Python fixture;
  - a batch of 50 four-program submissions (scripts/make-batch.sh four 50),
    --jobs 2;
  - the 50 correct ones graded with every program started afresh
    (--fresh --jobs 2) and with idle servers handed from scenario to
    scenario and the jobs grade chooses, with this machine's CPython and
    with a clean one (a venv without site-packages): wall, the machine's
    CPU, program starts per submission, the floor (those starts at
    Python's start-up time over the cores) and 300 submissions projected
    from the measured rate (the lone first submission counted once);
  - a class of 100 (--class N, 0 to skip) graded once with --jobs 2 and
    split over 4 partitions (--partitions P) as a CI matrix would: each
    partition is one machine's job, so the matrix's wall time is its
    slowest partition plus the merge (CI's own start-up not counted), and
    the merged scores.csv must equal the single run's;
  - the harness's peak memory (the JSON report's harness.peak_rss_kb).

The floor of a suite is what no harness can avoid: every scenario needs its
program started as often as it starts it (the JSON report's `starts`), at the
measured start-up-to-listening time of Python, plus the waits the scenario
itself asks for (its silences and pauses), which its run against the
reference (started in milliseconds) measures, or the waits the program
imposes itself (its own timeout, its own sleeps: OWN_WAITS), whichever is
longer. With J jobs the floor is that total over J, or the longest single
scenario if that is more.

Writes the figures to stdout and, with --out, into the file (replacing the
section of the same --label, so "before" and "after" sit side by side).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FX = os.path.join(ROOT, "tests", "fixtures")

# role -> (fixture, args, contract flags, cwd)
ROLES = [
    ("tcp-server", "tcp-server/line_server.py", "{port}", ["--reply", "fixed:Thanks", "--framing", "line"], None),
    ("tcp-client", "tcp-client/tcp_client_line.py", "{host} {port}", ["--reply", "fixed:Thanks", "--framing", "line"], None),
    ("udp-server", "udp-server/udp_server.py", "{port}", ["--reply", "fixed:Thanks"], None),
    ("udp-client", "udp-client/udp_client.py", "{host} {port}", ["--reply", "fixed:Thanks"], None),
    ("broadcast-sender", "broadcast-sender/broadcast_sender.py", "{broadcast} {port}", [], None),
    ("broadcast-receiver", "broadcast-receiver/broadcast_receiver.py", "{port}", [], None),
    ("http-server", "http-server/page_server.py", "{port}", [], "http-server"),
    ("http-client", "http-client/page_client.py", "{host} {port}", [], None),
]


def run_json(bin_, args, cwd=None):
    """Runs sockspec with --format json; returns (wall seconds, report)."""
    t0 = time.monotonic()
    out = subprocess.run([bin_, "run", *args, "--format", "json"], cwd=cwd,
                         capture_output=True, text=True)
    wall = time.monotonic() - t0
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError:
        sys.exit(f"not a JSON report from {args}: {out.stderr[-2000:]}")
    return wall, report


def median_run(bin_, args, runs, cwd=None):
    walls, report = [], None
    for _ in range(runs):
        wall, report = run_json(bin_, args, cwd)
        walls.append(wall)
    return statistics.median(walls), report


def python_start(python=sys.executable):
    """Seconds from exec to a listening socket for CPython, best of 5."""
    code = "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()"
    best = None
    for _ in range(5):
        t0 = time.monotonic()
        subprocess.run([python, "-c", code], check=True)
        t = time.monotonic() - t0
        best = t if best is None else min(best, t)
    return best


# Waits a benchmark program imposes itself, which no harness can shorten:
# read from the fixtures' code.
OWN_WAITS = {
    # settimeout(2): the lost reply is given up after 2 s.
    ("udp-client/lost-reply", "udp_client.py"): 2.0,
    # three datagrams, time.sleep(0.1) after each, then it exits.
    ("broadcast-sender/reaches-all", "broadcast_sender.py"): 0.3,
}


def floor(report, ref_durations, py_start, jobs, fixture):
    """The suite's floor (seconds) for `jobs`; see the module doc."""
    per = []
    for r in report["results"]:
        if r["status"] == "skip":
            continue
        ref = ref_durations.get(r["id"], 0) / 1000
        own = OWN_WAITS.get((r["id"], os.path.basename(fixture)), 0)
        per.append(r.get("starts", 1) * py_start + max(ref, own))
    if not per:
        return 0.0
    return max(max(per), sum(per) / jobs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin", nargs="?", default=os.path.join(ROOT, "target/release/sockspec"))
    ap.add_argument("--runs", type=int, default=int(os.environ.get("N", "3")))
    ap.add_argument("--out")
    ap.add_argument("--label", default="current")
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--class", dest="klass", type=int, default=int(os.environ.get("CLASS", "100")))
    ap.add_argument("--partitions", type=int, default=4)
    a = ap.parse_args()
    bin_, runs = a.bin, a.runs
    lines = []
    say = lambda s="": (print(s, flush=True), lines.append(s))

    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    py = python_start()
    say(f"## {a.label}")
    say()
    say(f"Machine: {os.cpu_count()} cores, {cpu}, Linux {platform.release()}, "
        f"Python {platform.python_version()} (start-up to listening: {py * 1000:.0f} ms). "
        f"Median of {runs} runs; {time.strftime('%Y-%m-%d')}.")
    say()
    say("| what | --jobs 1 | --jobs 2 | goal |")
    say("|---|---|---|---|")
    peak = 0
    ref_by_contract = {}
    for contract in (["--reply", "echo", "--framing", "none"],
                     ["--reply", "fixed:Thanks", "--framing", "line"],
                     ["--reply", "echo", "--framing", "len32"]):
        walls = []
        for jobs in (1, 2):
            wall, rep = median_run(bin_, [*contract, "--jobs", str(jobs)], runs)
            walls.append(wall)
            peak = max(peak, rep["harness"]["peak_rss_kb"] or 0)
            if jobs == 1:
                ref_by_contract[tuple(contract)] = {r["id"]: r["duration_ms"] for r in rep["results"]}
        say(f"| whole suite, references, {contract[1]}/{contract[3]} | {walls[0]:.2f} s | {walls[1]:.2f} s | < 1.5 s with 2 |")
    say()
    say("| role's suite vs a Python fixture | --jobs 1 (floor, ratio) | --jobs 2 (floor, ratio) | goal |")
    say("|---|---|---|---|")
    ratios = []
    for role, fixture, args, contract, cwd in ROLES:
        target = f"python3 {os.path.join(FX, fixture)} {args}"
        # The references' durations under the same contract: the waits.
        framing = contract[contract.index("--framing") + 1] if "--framing" in contract else "none"
        reply = contract[contract.index("--reply") + 1] if "--reply" in contract else "echo"
        key = ("--reply", reply if reply == "echo" else "fixed:Thanks", "--framing", framing)
        ref = ref_by_contract.get(key) or ref_by_contract[("--reply", "echo", "--framing", "none")]
        cells = []
        for jobs in (1, 2):
            extra = ["--cwd", os.path.join(FX, cwd)] if cwd else []
            wall, rep = median_run(bin_, ["--role", role, "--target", target, *contract, *extra,
                                          "--jobs", str(jobs)], runs)
            peak = max(peak, rep["harness"]["peak_rss_kb"] or 0)
            bad = [r["id"] for r in rep["results"] if r["status"] not in ("pass", "skip")]
            if bad:
                sys.exit(f"{fixture} did not pass {bad}: the benchmark needs a passing program")
            f = floor(rep, ref, py, jobs, fixture)
            ratios.append(wall / f if f else 0)
            cells.append(f"{wall:.2f} s ({f:.2f} s, {wall / f:.2f}x)")
        say(f"| {role}: {os.path.basename(fixture)} | {cells[0]} | {cells[1]} | < 1.5x |")
    say()

    say("| property cases per second | cases | wall | cases/s |")
    say("|---|---|---|---|")
    for label, args in (
        ("stream-round-trip, reference", ["--reply", "fixed:Thanks", "--framing", "line"]),
        ("stream-round-trip, line_server.py", ["--role", "tcp-server", "--target",
                                                f"python3 {FX}/tcp-server/line_server.py {{port}}",
                                                "--reply", "fixed:Thanks", "--framing", "line"]),
        ("udp-boundaries, udp_server.py", ["--role", "udp-server", "--target",
                                            f"python3 {FX}/udp-server/udp_server.py {{port}}",
                                            "--reply", "fixed:Thanks"]),
    ):
        only = "udp-server/boundaries" if "udp" in label else "tcp-server/stream-round-trip"
        wall, rep = median_run(bin_, [*args, "--only", only, "--cases", "500"], runs)
        say(f"| {label} | 500 | {wall:.2f} s | {500 / wall:.0f} |")
    say()

    say("| batch (scripts/make-batch.sh DIR N MODE) | submissions | --jobs 2 | goal |")
    say("|---|---|---|---|")
    for mode, what in (("four-correct", "four-program homework, all correct"),
                       ("four", "four-program homework, half with a typical bug")):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([os.path.join(ROOT, "scripts/make-batch.sh"), tmp, str(a.batch), mode],
                           check=True, capture_output=True)
            walls = []
            for _ in range(max(1, runs // 2)):
                t0 = time.monotonic()
                out = subprocess.run([bin_, "grade", os.path.join(tmp, "submissions"),
                                      "--assignment", os.path.join(tmp, "hw.yaml"),
                                      "--out-dir", os.path.join(tmp, "out"), "--jobs", "2"],
                                     capture_output=True, text=True)
                walls.append(time.monotonic() - t0)
                if out.returncode != 0:
                    sys.exit(f"the batch failed: {out.stderr[-2000:]}")
            with open(os.path.join(tmp, "out", "grade.json")) as f:
                batch = json.load(f)
            for s in batch["submissions"]:
                try:
                    with open(os.path.join(tmp, "out", s["student"], "report.json")) as f:
                        peak = max(peak, json.load(f)["harness"]["peak_rss_kb"] or 0)
                except (OSError, KeyError, json.JSONDecodeError):
                    pass
            say(f"| {what} ({mode}) | {a.batch} | {statistics.median(walls):.1f} s | < 60 s |")
    say()
    sharing(bin_, a.batch, py, say)
    say()
    if a.klass:
        class_split(bin_, a.klass, a.partitions, say)
        say()
    say(f"Harness peak memory (largest VmHWM of any run above): {peak / 1024:.1f} MB (goal < 30 MB). "
        f"Worst actual/floor ratio: {max(ratios):.2f}x.")
    say()

    if a.out:
        text = open(a.out).read() if os.path.exists(a.out) else ""
        section = "\n".join(lines) + "\n"
        start = text.find(f"## {a.label}\n")
        if start >= 0:
            end = text.find("\n## ", start + 1)
            text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
        else:
            text = text.rstrip("\n") + "\n\n" + section if text else section
        with open(a.out, "w") as f:
            f.write(text)


def children_cpu(before, after):
    """CPU seconds (user + system) of this process's waited-for children
    between two os.times()."""
    return (after.children_user + after.children_system
            - before.children_user - before.children_system)


def machine_busy():
    """Seconds every core of the machine has spent working so far (/proc/stat:
    user, nice, system, irq, softirq), or None where there is no such file.
    Unlike this process's accounting of its children, it counts the servers
    a run kills at a scenario's end, whose init dies unwaited."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()[1:]
        return sum(int(fields[i]) for i in (0, 1, 2, 5, 6)) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def graded(bin_, args, env=None):
    """Runs `sockspec grade ARGS`; returns (wall s, machine CPU s over the run
    (its children's if the machine's is not known), stderr)."""
    c0, b0 = os.times(), machine_busy()
    t0 = time.monotonic()
    out = subprocess.run([bin_, "grade", *args], capture_output=True, text=True, env=env)
    wall = time.monotonic() - t0
    c1, b1 = os.times(), machine_busy()
    if out.returncode != 0:
        sys.exit(f"grade {' '.join(args)} failed: {out.stderr[-2000:]}")
    if b0 is not None and b1 is not None:
        cpu = b1 - b0
    else:
        cpu = children_cpu(c0, c1)
    return wall, cpu, out.stderr


def starts_of(out):
    """Program starts and starts saved, per submission, from its reports."""
    with open(os.path.join(out, "grade.json")) as f:
        batch = json.load(f)
    starts, saved = [], []
    for s in batch["submissions"]:
        with open(os.path.join(out, s["student"], "report.json")) as f:
            summary = json.load(f)["summary"]
        starts.append(summary.get("starts", 0))
        saved.append(summary.get("starts_saved", 0))
    return starts, saved


def lone_first(out):
    """Seconds the batch's first submission was graded alone, to measure it
    for the choice of jobs (0 when the jobs were given)."""
    with open(os.path.join(out, "grade.json")) as f:
        measured = (json.load(f).get("jobs") or {}).get("measured") or {}
    return measured.get("wall_ms", 0) / 1000


def clean_python():
    """A CPython with nothing in its site-packages (a venv of the one running
    this script), as on a teacher's machine: the container this was written
    in puts a .pth file in the interpreter's site-packages that imports
    certifi at every start-up, which doubles a start's CPU. It lives under
    target/, not /tmp: a graded program gets a private /tmp, where a venv
    in /tmp is not there, and `python3` on PATH would find the shim instead.
    Returns its bin folder, or None if no venv can be made."""
    venv = os.path.join(ROOT, "target", "bench-python")
    py = os.path.join(venv, "bin", "python3")
    if not os.path.exists(py):
        made = subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv],
                              capture_output=True)
        if made.returncode != 0:
            return None
    return os.path.join(venv, "bin")


def start_cpu(python, runs=20):
    """CPU seconds (user + system) one `python -c "import socket"` takes,
    the mean of RUNS."""
    c0 = os.times()
    for _ in range(runs):
        subprocess.run([python, "-c", "import socket"], check=True)
    c1 = os.times()
    return children_cpu(c0, c1) / runs


def sharing(bin_, n, py, say):
    """N correct four-program submissions: every program started afresh with
    --jobs 2 (as before issue 18) against idle servers handed from scenario
    to scenario with the jobs grade chooses; with this machine's CPython and
    with a clean one. The floor is the batch's program starts at Python's
    start-up time, over the cores. The projection for 300 counts the lone
    first submission (graded alone to choose the jobs) once, and the rest at
    the rate measured."""
    cores = os.cpu_count() or 1
    pythons = [("this machine's CPython", None, sys.executable)]
    clean = clean_python()
    if clean:
        env = dict(os.environ, PATH=clean + os.pathsep + os.environ.get("PATH", ""))
        pythons.append(("a clean CPython (a venv without site-packages)", env,
                        os.path.join(clean, "python3")))
    say(f"| {n} correct four-program submissions | wall | machine CPU | starts per submission "
        f"(saved) | floor | 300 projected |")
    say("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([os.path.join(ROOT, "scripts/make-batch.sh"), tmp, str(n), "four-correct"],
                       check=True, capture_output=True)
        subs, hw = os.path.join(tmp, "submissions"), os.path.join(tmp, "hw.yaml")
        ratios = []
        for which, env, python in pythons:
            rows = []
            py_here = py if env is None else python_start(python)
            for label, extra in (("`--fresh --jobs 2`", ["--fresh", "--jobs", "2"]),
                                 ("sharing, default jobs", [])):
                out = os.path.join(tmp, f"out-{len(ratios)}-" + ("fresh" if extra else "shared"))
                wall, cpu, err = graded(bin_, [subs, "--assignment", hw, "--out-dir", out, *extra],
                                        env)
                starts, saved = starts_of(out)
                per = statistics.mean(starts)
                floor_s = sum(starts) * py_here / cores
                alone = lone_first(out)
                projected = alone + (wall - alone) * (300 - 1) / max(n - 1, 1) if alone else wall * 300 / n
                chose = next((l.strip() for l in err.splitlines() if l.startswith("jobs:")), "")
                note = f" ({chose})" if chose else ""
                say(f"| {which}: {label}{note} | {wall:.1f} s | {cpu:.1f} core-s, "
                    f"{cpu / wall / cores * 100:.0f}% | {per:.1f} ({statistics.mean(saved):.1f}) | "
                    f"{floor_s:.1f} s | {projected:.0f} s |")
                rows.append(wall)
            ratios.append((which, rows[1] / rows[0], start_cpu(python)))
        say()
        for which, ratio, start in ratios:
            say(f"With {which} (a start costs {start * 1000:.0f} ms of CPU), sharing with the "
                f"chosen jobs takes {ratio * 100:.0f}% of the time of `--fresh --jobs 2` "
                f"(goal: at most 50%).")


def grade_wall(bin_, args):
    """Runs `sockspec grade ARGS`; returns its wall seconds (exits on failure)."""
    t0 = time.monotonic()
    out = subprocess.run([bin_, "grade", *args], capture_output=True, text=True)
    wall = time.monotonic() - t0
    if out.returncode != 0:
        sys.exit(f"grade {' '.join(args)} failed: {out.stderr[-2000:]}")
    return wall


def class_split(bin_, n, parts, say):
    """A class of N graded by one machine against a matrix of PARTS jobs."""
    say(f"| class of {n} (four, half buggy) | wall | CPU share | note |")
    say("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([os.path.join(ROOT, "scripts/make-batch.sh"), tmp, str(n), "four"],
                       check=True, capture_output=True)
        subs, hw = os.path.join(tmp, "submissions"), os.path.join(tmp, "hw.yaml")
        c0 = os.times()
        one = grade_wall(bin_, [subs, "--assignment", hw, "--out-dir", os.path.join(tmp, "one"),
                                "--jobs", "2"])
        c1 = os.times()
        cpu = children_cpu(c0, c1)
        say(f"| one `grade --jobs 2` | {one:.1f} s | {cpu / one / (os.cpu_count() or 1) * 100:.0f}% |"
            f" {n / one * 60:.0f} submissions a minute |")
        walls = []
        for i in range(1, parts + 1):
            walls.append(grade_wall(bin_, [subs, "--assignment", hw, "--partition", f"{i}/{parts}",
                                           "--out-dir", os.path.join(tmp, f"part{i}"), "--jobs", "2"]))
        t0 = time.monotonic()
        merged = subprocess.run([bin_, "merge", *[os.path.join(tmp, f"part{i}", "grade.json")
                                                  for i in range(1, parts + 1)],
                                 "--out-dir", os.path.join(tmp, "all")], capture_output=True, text=True)
        merge = time.monotonic() - t0
        if merged.returncode != 0:
            sys.exit(f"merge failed: {merged.stderr[-2000:]}")
        same = open(os.path.join(tmp, "one", "scores.csv")).read() == \
            open(os.path.join(tmp, "all", "scores.csv")).read()
        say(f"| {parts} partitions, one machine each | {max(walls) + merge:.1f} s | | "
            f"slowest partition {max(walls):.1f} s + merge {merge:.2f} s; partitions "
            f"{', '.join(f'{w:.1f}' for w in walls)} s; "
            f"scores.csv {'identical' if same else 'DIFFERENT'} |")
        if not same:
            sys.exit("the merged scores.csv differs from the single run's")


if __name__ == "__main__":
    main()

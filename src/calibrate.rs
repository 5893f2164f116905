//! Deadlines that fit the machine: before a batch, time a few reference
//! scenarios and a Python start-up on this machine, compare them with the
//! same figures on the machine the deadlines were set on, and scale every
//! deadline by how much slower this one is (never faster: the deadlines
//! are already tight where it matters).
//!
//! A loaded CI runner is slower at exactly what these measure (starting
//! processes, scheduling them, moving bytes over loopback), so a student is
//! not failed because the grader's machine was busy. The figures are
//! printed, so a teacher can see what the grades were calibrated against.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Scenarios without a fixed wait: their time is all process start-up,
/// scheduling and loopback round trips.
const PROBE: [&str; 5] = [
    "tcp-server/reply",
    "tcp-server/conversation",
    "tcp-server/sticky-coalesced",
    "udp-server/reply",
    "udp-server/burst",
];
/// The probe's wall time on the development machine (2 cores, idle: 65 ms
/// for a debug build, a few ms less for a release one), the best of 3.
const PROBE_BASELINE: Duration = Duration::from_millis(70);
/// `python3 -c "import socket"` there (CPython 3.11: 110 ms), the best of 3.
const PYTHON_BASELINE: Duration = Duration::from_millis(110);
/// The most deadlines are stretched, whatever is measured.
const MAX_SCALE: f64 = 10.0;
const TRIES: usize = 3;

/// What was measured and the scale it gives.
pub struct Calibration {
    /// Every deadline is multiplied by this (at least 1).
    pub scale: f64,
    probe: Option<Duration>,
    python: Option<Duration>,
}

impl Calibration {
    /// One line for the grader.
    pub fn describe(&self, lang: sockspec_report::Lang) -> String {
        let zh = lang == sockspec_report::Lang::Zh;
        let ms = |d: Option<Duration>| match (d, zh) {
            (Some(d), _) => format!("{} ms", d.as_millis()),
            (None, false) => "not measured".to_owned(),
            (None, true) => "未测出".to_owned(),
        };
        let (probe, python) = (ms(self.probe), ms(self.python));
        let (pb, pyb) = (PROBE_BASELINE.as_millis(), PYTHON_BASELINE.as_millis());
        let scale = self.scale;
        if zh {
            format!(
                "校准：参考探测 {probe}（基准 {pb} ms），python3 启动 {python}（基准 {pyb} ms）：所有时限 ×{scale:.2}"
            )
        } else {
            format!(
                "calibration: reference probe {probe} (baseline {pb} ms), python3 start-up {python} (baseline {pyb} ms): deadlines x{scale:.2}"
            )
        }
    }
}

/// Measures this machine. The probe is the same whatever the assignment's
/// roles, so that its baseline means one thing.
pub fn calibrate(exe: &Path) -> Calibration {
    let probe = best_of(|| {
        let mut cmd = Command::new(exe);
        cmd.args(["run", "--reply", "echo", "--framing", "line", "--jobs", "1"])
            .args(PROBE.iter().flat_map(|id| ["--only", id]))
            .args(["--format", "json"]);
        cmd
    });
    let python = best_of(|| {
        let mut cmd = Command::new("python3");
        cmd.args(["-c", "import socket"]);
        cmd
    });
    let ratio = |got: Option<Duration>, base: Duration| {
        got.map_or(1.0, |g| g.as_secs_f64() / base.as_secs_f64())
    };
    let scale = ratio(probe, PROBE_BASELINE)
        .max(ratio(python, PYTHON_BASELINE))
        .clamp(1.0, MAX_SCALE);
    Calibration {
        scale,
        probe,
        python,
    }
}

/// The shortest of a few successful runs, or `None` if it never succeeds.
fn best_of(make: impl Fn() -> Command) -> Option<Duration> {
    (0..TRIES)
        .filter_map(|_| {
            let started = Instant::now();
            let status = make()
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .ok()?;
            status.success().then(|| started.elapsed())
        })
        .min()
}

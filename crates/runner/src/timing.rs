//! Every wait the runner does has a deadline, and every deadline comes from
//! here, scaled by one setting. A slow CI machine or a grader running 300
//! submissions in parallel turns the one knob (`--time-scale` or
//! `SOCKSPEC_TIME_SCALE`) instead of hunting for sleeps.

use std::time::Duration;

/// The base deadlines, multiplied by a scale factor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    scale: f64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing { scale: 1.0 }
    }
}

/// The environment variable that scales every deadline when `--time-scale`
/// is not given.
pub const TIME_SCALE_ENV: &str = "SOCKSPEC_TIME_SCALE";

/// The scale the user asks for: `--time-scale` if given, else
/// `SOCKSPEC_TIME_SCALE`, else 1. The one place either is read, so `run`
/// and `grade` cannot read them differently.
pub fn user_scale(flag: Option<f64>) -> f64 {
    flag.or_else(|| std::env::var(TIME_SCALE_ENV).ok()?.parse().ok())
        .unwrap_or(1.0)
}

impl Timing {
    /// Deadlines multiplied by `scale` (clamped to 0.1 ..= 100).
    pub fn scaled(scale: f64) -> Self {
        let scale = if scale.is_finite() { scale } else { 1.0 };
        Timing {
            scale: scale.clamp(0.1, 100.0),
        }
    }

    /// The scale factor.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    fn base(&self, ms: u64) -> Duration {
        Duration::from_secs_f64(ms as f64 / 1000.0 * self.scale)
    }

    /// From spawn until the target's socket listens (Python takes ~0.1 s).
    pub fn ready(&self) -> Duration {
        self.base(5000)
    }

    /// From a message written until its whole reply has arrived.
    pub fn reply(&self) -> Duration {
        self.base(2000)
    }

    /// For a connection to be established (a listening socket answers at once;
    /// this only bounds a full backlog).
    pub fn connect(&self) -> Duration {
        self.base(2000)
    }

    /// For the target to read a piece the harness wrote before the next is
    /// written; past it the next piece goes anyway. Long, because the wait
    /// ends as soon as the target reads or is seen blocked elsewhere: only
    /// a target that is runnable but starved of CPU (a loaded machine)
    /// waits it out, and splitting its message depends on that wait.
    pub fn consumed(&self) -> Duration {
        self.base(5000)
    }

    /// For the end of a connection (EOF or reset) to show.
    pub fn end(&self) -> Duration {
        self.base(2000)
    }

    /// For a killed or quitting target to be reaped.
    pub fn exit(&self) -> Duration {
        self.base(2000)
    }

    /// For a hard-coded port on the shared loopback to be free again: a
    /// TIME_WAIT lasts 60 s on Linux, whatever the load.
    pub fn port_free(&self) -> Duration {
        Duration::from_secs(65).max(self.base(65_000))
    }

    /// For a killed program's whole process group to die and be reaped.
    pub fn kill(&self) -> Duration {
        self.base(5000)
    }

    /// For a program's output pipes to reach their end once it has exited.
    pub fn drain(&self) -> Duration {
        self.base(250)
    }

    /// The supervision's own waits, for the program's spec.
    pub fn waits(&self) -> sockspec_process::Waits {
        sockspec_process::Waits {
            kill: self.kill(),
            drain: self.drain(),
        }
    }

    /// A scenario's own pause (`pause_ms`), scaled like every other wait.
    pub fn pause(&self, pause: Duration) -> Duration {
        pause.mul_f64(self.scale)
    }
}

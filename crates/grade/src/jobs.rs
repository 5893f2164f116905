//! How many submissions `grade` runs at once when the grader does not say.
//!
//! A submission's run mostly waits on its programs (a start-up, a reply, a
//! silence that must last), so one run per core leaves the cores idle much
//! of the time. The binary grades the first submission alone and measures
//! what its run used: its wall time, its CPU time, and its largest
//! process. [`choose`] turns that into a count: enough runs to keep every
//! core busy, never fewer than the cores, and no more than memory, the
//! submissions left and [`CEILING`] allow.
//!
//! The rule is plain arithmetic here, so that it is tested without running
//! anything; what was chosen, and from what, is kept in the batch report
//! ([`Jobs`]) so that a teacher can see why a batch took as long as it did.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The most runs at once, whatever is measured: past this, a machine
/// spends its time switching between harnesses, and one unrepresentative
/// measurement (a run that only waited) cannot flood it.
pub const CEILING: usize = 32;
/// The share of every core the runs together are meant to use: a little
/// under all of it, so that the harness's own deadlines are not raced by a
/// machine at 100%.
pub const MARGIN: f64 = 0.9;
/// The least a run's largest process is counted as: a measurement of a
/// run whose programs never started must not make room for hundreds.
pub const MIN_PROCESS_MEMORY: u64 = 32 << 20;

/// What one submission's run used, measured while it ran alone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunCost {
    /// From its start to its end.
    pub wall: Duration,
    /// The CPU time it took: user and system time of the run and of
    /// every process it waited for, or all the machine's, if more.
    pub cpu: Duration,
    /// The resident memory of its largest process, in bytes.
    pub peak_memory: u64,
}

/// What the machine offers the batch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Machine {
    /// Cores this process may use.
    pub cores: usize,
    /// Memory available for new work, in bytes (`None`: not known, then
    /// memory limits nothing).
    pub memory_available: Option<u64>,
    /// The most memory one program may use (the assignment's limit), in
    /// bytes: kept free, so that one program at its limit does not take
    /// the machine's last memory from the others.
    pub program_memory_limit: u64,
    /// Programs a run has going at once (its scenario jobs); with the
    /// run itself, the processes a run holds in memory.
    pub programs_per_run: u32,
}

/// What limited the count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The runs needed to keep every core busy.
    Cpu,
    /// The floor: a run that keeps a core busy gets one per core (and
    /// never fewer than 2 at once).
    Cores,
    /// Memory for no more.
    Memory,
    /// No more submissions left to grade.
    Submissions,
    /// [`CEILING`].
    Ceiling,
}

/// The count, and what it was made of.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Choice {
    /// Submissions graded at once.
    pub jobs: usize,
    /// What limited it.
    pub bound: Bound,
    /// CPU time per second of wall time of the measured run (1.0: one
    /// core busy all along).
    pub busy: f64,
    /// How many runs the available memory holds, when it is known.
    pub memory_allows: Option<usize>,
}

/// How many submissions to grade at once, `left` of them still to grade:
/// `cores × MARGIN × wall / cpu` rounded up, at least the cores (and 2),
/// at most what memory allows (see [`Machine`]), `left` and [`CEILING`],
/// and never fewer than 1.
pub fn choose(cost: &RunCost, machine: &Machine, left: usize) -> Choice {
    let cores = machine.cores.max(1);
    let floor = cores.max(2);
    let wall = cost.wall.as_secs_f64();
    // A run of no measurable length is taken to keep its core busy: the
    // guess that never floods the machine.
    let busy = if wall > 0.0 {
        cost.cpu.as_secs_f64() / wall
    } else {
        1.0
    };
    let by_cpu = if busy > 0.0 {
        // The epsilon keeps 2.0000001 (a float's 2) from becoming 3; the
        // cast saturates, so a run that used no CPU at all gets the ceiling.
        (cores as f64 * MARGIN / busy - 1e-9).ceil() as usize
    } else {
        usize::MAX
    };
    let memory_allows = machine.memory_available.map(|available| {
        let reserve = machine.program_memory_limit.min(available / 2);
        let per_run = cost
            .peak_memory
            .max(MIN_PROCESS_MEMORY)
            .saturating_mul(u64::from(machine.programs_per_run) + 1);
        let runs = (available - reserve) / per_run;
        usize::try_from(runs).unwrap_or(usize::MAX).max(1)
    });
    let (mut jobs, mut bound) = if by_cpu > floor {
        (by_cpu, Bound::Cpu)
    } else {
        (floor, Bound::Cores)
    };
    for (cap, why) in [
        (CEILING, Bound::Ceiling),
        (memory_allows.unwrap_or(usize::MAX), Bound::Memory),
        (left.max(1), Bound::Submissions),
    ] {
        if cap < jobs {
            (jobs, bound) = (cap, why);
        }
    }
    Choice {
        jobs,
        bound,
        busy,
        memory_allows,
    }
}

/// How many submissions a batch graded at once, and why: kept in
/// grade.json.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Jobs {
    /// Submissions graded at once.
    pub jobs: usize,
    /// What decided it.
    pub chosen_by: ChosenBy,
    /// The first submission's run, graded alone, when it was measured.
    #[serde(default)]
    pub measured: Option<Measured>,
}

/// What decided how many submissions were graded at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChosenBy {
    /// The grader's `--jobs`.
    Flag,
    /// The default (the cores, 2 to 8): `--no-calibrate` measured nothing.
    Default,
    /// [`choose`], from the first submission's run.
    Measured,
    /// The default, because the first submission passed nothing: a run
    /// that only waits out deadlines is no measure of the others.
    Unrepresentative,
    /// One at a time: programs that choose their own port share the
    /// machine's loopback.
    OwnPorts,
    /// A batch of one.
    OneSubmission,
}

/// The first submission's run, as measured, and what [`choose`] made of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// Whose run it was.
    pub student: String,
    /// Its wall time.
    pub wall_ms: u64,
    /// The CPU time it took (the larger of the next two).
    pub cpu_ms: u64,
    /// Its CPU time as this process's accounting of its children has it
    /// (user and system, with every process it waited for: not the
    /// servers it killed).
    pub children_cpu_ms: u64,
    /// The CPU time the whole machine spent working meanwhile (`None`:
    /// not known).
    pub machine_cpu_ms: Option<u64>,
    /// The resident memory of its largest process.
    pub peak_memory_kib: u64,
    /// Cores this machine gave the batch.
    pub cores: usize,
    /// Memory available when it ended (`None`: not known).
    pub memory_available_mib: Option<u64>,
    /// Runs that memory holds.
    pub memory_allows: Option<usize>,
    /// What limited the count.
    pub bound: Bound,
}

impl Measured {
    /// The record of a measurement and of what [`choose`] made of it
    /// (its two sources of CPU time both taken as `cost.cpu`, until the
    /// measurer says what each said).
    pub fn new(student: &str, cost: &RunCost, machine: &Machine, choice: &Choice) -> Self {
        Measured {
            student: student.to_owned(),
            wall_ms: cost.wall.as_millis() as u64,
            cpu_ms: cost.cpu.as_millis() as u64,
            children_cpu_ms: cost.cpu.as_millis() as u64,
            machine_cpu_ms: None,
            peak_memory_kib: cost.peak_memory / 1024,
            cores: machine.cores,
            memory_available_mib: machine.memory_available.map(|m| m >> 20),
            memory_allows: choice.memory_allows,
            bound: choice.bound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GIB: u64 = 1 << 30;

    fn run(wall_ms: u64, cpu_ms: u64) -> RunCost {
        RunCost {
            wall: Duration::from_millis(wall_ms),
            cpu: Duration::from_millis(cpu_ms),
            peak_memory: 30 << 20,
        }
    }

    fn machine(cores: usize) -> Machine {
        Machine {
            cores,
            memory_available: Some(16 * GIB),
            program_memory_limit: GIB,
            programs_per_run: 4,
        }
    }

    #[test]
    fn a_run_that_keeps_a_core_busy_gets_one_per_core() {
        for cores in [2, 4, 8] {
            let c = choose(&run(2000, 2000), &machine(cores), 100);
            assert_eq!((c.jobs, c.bound), (cores, Bound::Cores), "{cores} cores");
            assert!((c.busy - 1.0).abs() < 1e-9);
        }
        // Busier than a core (threads): still one per core.
        let c = choose(&run(1000, 1500), &machine(4), 100);
        assert_eq!((c.jobs, c.bound), (4, Bound::Cores));
    }

    #[test]
    fn a_run_that_waits_three_quarters_of_its_time_gets_about_four_per_core() {
        let c = choose(&run(2400, 600), &machine(2), 100);
        assert_eq!((c.jobs, c.bound), (8, Bound::Cpu), "2 × 0.9 × 4 = 7.2, up");
        let c = choose(&run(2400, 600), &machine(4), 100);
        assert_eq!(
            (c.jobs, c.bound),
            (15, Bound::Cpu),
            "4 × 0.9 × 4 = 14.4, up"
        );
        // A run measured on a 2-core machine (77% of a core), where 3 at
        // once graded 20 submissions fastest.
        let c = choose(&run(2250, 1730), &machine(2), 100);
        assert_eq!((c.jobs, c.bound), (3, Bound::Cpu));
        // Exactly 2 (0.9 of a core per run) is not rounded up to 3.
        let c = choose(&run(2000, 1800), &machine(2), 100);
        assert_eq!((c.jobs, c.bound), (2, Bound::Cores));
    }

    #[test]
    fn memory_caps_the_count() {
        // 2 GiB available, 1 GiB kept for a program at its limit, runs of
        // 5 processes of at least 32 MiB: 6 runs (not the 8 the CPU allows).
        let small = Machine {
            memory_available: Some(2 * GIB),
            ..machine(2)
        };
        let c = choose(&run(2400, 600), &small, 100);
        assert_eq!(
            (c.jobs, c.bound, c.memory_allows),
            (6, Bound::Memory, Some(6))
        );
        // A JVM-sized process (200 MiB): 1 run, under the floor of 2.
        let jvm = RunCost {
            peak_memory: 200 << 20,
            ..run(2400, 600)
        };
        let c = choose(&jvm, &small, 100);
        assert_eq!((c.jobs, c.bound), (1, Bound::Memory));
        // Memory that holds not even one run still grades, one at a time.
        let tiny = Machine {
            memory_available: Some(64 << 20),
            ..machine(2)
        };
        assert_eq!(choose(&jvm, &tiny, 100).jobs, 1);
        // Unknown memory limits nothing.
        let unknown = Machine {
            memory_available: None,
            ..machine(2)
        };
        let c = choose(&run(2400, 600), &unknown, 100);
        assert_eq!((c.jobs, c.memory_allows), (8, None));
    }

    #[test]
    fn no_more_at_once_than_submissions_left() {
        let c = choose(&run(2400, 600), &machine(2), 5);
        assert_eq!((c.jobs, c.bound), (5, Bound::Submissions));
        let c = choose(&run(2400, 2400), &machine(8), 3);
        assert_eq!((c.jobs, c.bound), (3, Bound::Submissions));
        assert_eq!(choose(&run(2400, 600), &machine(2), 0).jobs, 1);
    }

    #[test]
    fn at_least_two_at_once_and_at_most_the_ceiling() {
        let c = choose(&run(2000, 2000), &machine(1), 100);
        assert_eq!((c.jobs, c.bound), (2, Bound::Cores), "one core: still 2");
        // A run that used no CPU, or lasted no time, cannot ask for more
        // than the ceiling, nor divide by zero.
        let c = choose(&run(2000, 0), &machine(2), 100);
        assert_eq!((c.jobs, c.bound), (CEILING, Bound::Ceiling));
        let c = choose(&run(0, 0), &machine(2), 100);
        assert_eq!((c.jobs, c.bound), (2, Bound::Cores));
    }

    proptest! {
        #[test]
        fn the_count_is_always_within_its_bounds(
            wall_ms in 0u64..100_000,
            cpu_ms in 0u64..400_000,
            peak in 0u64..(8 * GIB),
            cores in 0usize..256,
            available in proptest::option::of(0u64..(1 << 40)),
            limit in 0u64..u64::MAX,
            programs in 0u32..64,
            left in 0usize..1000,
        ) {
            let cost = RunCost {
                wall: Duration::from_millis(wall_ms),
                cpu: Duration::from_millis(cpu_ms),
                peak_memory: peak,
            };
            let m = Machine {
                cores,
                memory_available: available,
                program_memory_limit: limit,
                programs_per_run: programs,
            };
            let c = choose(&cost, &m, left);
            prop_assert!(c.jobs >= 1 && c.jobs <= CEILING);
            prop_assert!(c.jobs <= left.max(1));
            if let Some(allows) = c.memory_allows {
                prop_assert!(c.jobs <= allows);
            }
            let floor = cores.clamp(2, CEILING).min(left.max(1));
            prop_assert!(c.jobs >= floor.min(c.memory_allows.unwrap_or(usize::MAX)));
        }
    }
}

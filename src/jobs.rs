//! `grade`'s `--jobs` when the grader gives none: part of calibration.
//!
//! The most faithful measure of what a submission's run costs is a real
//! one, so the batch's first submission is graded alone, by the same
//! child command as every other (its report is kept; it is not graded
//! twice), and what it used is read from the kernel's accounting. The rule that turns that into a count is
//! [`sockspec_grade::jobs::choose`]; this file measures, decides when
//! nothing needs measuring, and says what was chosen and why in the
//! grader's language.
//!
//! Two counts of CPU time are read, and the larger kept. This process's
//! accounting of its children counts every process the run waited for,
//! and the ones they waited for in turn; but a server the run kills at the
//! end of its scenario is waited for by no one in that chain (its init is
//! killed with it), so its time is missed: a quarter of a run's, on the
//! machine this was tried on. The machine's own count of time spent
//! working (/proc/stat) misses nothing while the run is the only work,
//! and counts other work too when it is not: then the run looks busier
//! than it is and fewer run at once, which is the right way to be wrong
//! on a machine that is doing something else (or, in a container, on a
//! host whose other tenants are).

use std::time::Duration;

use nix::sys::resource::{UsageWho, getrusage};
use sockspec_grade::jobs::{Bound, ChosenBy, Machine, Measured, RunCost};
use sockspec_grade::{Jobs, SubmissionGrade};
use sockspec_report::Lang;

/// CPU time so far: of this process's children that ended and were waited
/// for (with their largest process), and of the whole machine.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    children_cpu: Duration,
    max_rss: u64,
    machine_cpu: Option<Duration>,
}

/// A run's cost, and the two counts its CPU time is the larger of.
#[derive(Clone, Copy, Debug)]
pub struct Probe {
    /// What the count of jobs is made from.
    pub cost: RunCost,
    /// From this process's accounting of its children.
    pub children_cpu: Duration,
    /// From the machine's (`None`: not known).
    pub machine_cpu: Option<Duration>,
}

impl Usage {
    /// Now (a count the kernel will not give is zero, or unknown: then
    /// the run is taken to have used less CPU, and the count is held by
    /// its other bounds).
    pub fn now() -> Self {
        let machine_cpu = std::fs::read_to_string("/proc/stat")
            .ok()
            .and_then(|t| machine_busy(&t, clock_ticks()));
        let Ok(usage) = getrusage(UsageWho::RUSAGE_CHILDREN) else {
            return Usage {
                machine_cpu,
                ..Usage::default()
            };
        };
        let time = |t: nix::sys::time::TimeVal| {
            Duration::from_secs(u64::try_from(t.tv_sec()).unwrap_or(0))
                + Duration::from_micros(u64::try_from(t.tv_usec()).unwrap_or(0))
        };
        Usage {
            children_cpu: time(usage.user_time()) + time(usage.system_time()),
            // Kilobytes on Linux.
            max_rss: u64::try_from(usage.max_rss()).unwrap_or(0) * 1024,
            machine_cpu,
        }
    }

    /// What was used since `before`, over `wall`: a run's cost when it
    /// was the only child running. The largest process is the largest of
    /// every child so far (the kernel keeps only the maximum), which may be
    /// calibration's own run: an upper bound.
    pub fn since(&self, before: &Usage, wall: Duration) -> Probe {
        let children_cpu = self.children_cpu.saturating_sub(before.children_cpu);
        let machine_cpu = self
            .machine_cpu
            .zip(before.machine_cpu)
            .map(|(now, then)| now.saturating_sub(then));
        Probe {
            cost: RunCost {
                wall,
                cpu: children_cpu.max(machine_cpu.unwrap_or_default()),
                peak_memory: self.max_rss,
            },
            children_cpu,
            machine_cpu,
        }
    }
}

/// Ticks per second of /proc/stat (`USER_HZ`, 100 wherever it is not
/// said otherwise).
fn clock_ticks() -> u64 {
    nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .and_then(|t| u64::try_from(t).ok())
        .filter(|&t| t > 0)
        .unwrap_or(100)
}

/// The time every core of the machine spent working (user, nice, system,
/// irq and softirq of /proc/stat's `cpu` line; not idle, I/O wait or
/// time stolen by a hypervisor).
fn machine_busy(stat: &str, ticks_per_second: u64) -> Option<Duration> {
    let line = stat.lines().find_map(|l| l.strip_prefix("cpu "))?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let ticks: u64 = [0, 1, 2, 5, 6]
        .iter()
        .map(|&i| fields.get(i).copied())
        .sum::<Option<u64>>()?;
    let ticks_per_second = ticks_per_second.max(1);
    Some(
        Duration::from_secs(ticks / ticks_per_second)
            + Duration::from_nanos((ticks % ticks_per_second) * 1_000_000_000 / ticks_per_second),
    )
}

/// The machine as it is now, for a batch whose programs may each use up
/// to `program_memory_limit` bytes, `programs_per_run` at once per run.
pub fn machine(program_memory_limit: u64, programs_per_run: u32) -> Machine {
    Machine {
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        memory_available: std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|t| mem_available(&t)),
        program_memory_limit,
        programs_per_run,
    }
}

/// `MemAvailable` of /proc/meminfo, in bytes.
fn mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?;
    let mut words = line.split_whitespace();
    let kib: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") | None => kib.checked_mul(1024),
        Some(_) => None,
    }
}

/// The count when nothing needs measuring, or `None` when the first
/// submission's run should be measured: the grader's `--jobs` wins; then
/// programs that choose their own port on a shared loopback go one at a
/// time; a batch of one needs no count; `--no-calibrate` keeps the
/// default.
pub fn without_measuring(
    asked: Option<usize>,
    own_ports: bool,
    submissions: usize,
    no_calibrate: bool,
) -> Option<Jobs> {
    let fixed = |jobs: usize, chosen_by| {
        Some(Jobs {
            jobs,
            chosen_by,
            measured: None,
        })
    };
    match asked {
        Some(1) => fixed(1, ChosenBy::Flag),
        _ if own_ports => fixed(1, ChosenBy::OwnPorts),
        Some(n) => fixed(n.max(1), ChosenBy::Flag),
        None if submissions <= 1 => fixed(1, ChosenBy::OneSubmission),
        None if no_calibrate => fixed(crate::default_jobs(), ChosenBy::Default),
        None => None,
    }
}

/// The count from the first submission's run, `left` submissions after
/// it. A run that passed nothing (a program that never started, a build
/// that failed, a server that never answers) mostly waited out deadlines
/// or did not run at all, and says nothing of the others: then the
/// default holds, and the measurement is kept only to be seen.
pub fn from_measurement(
    first: Option<&SubmissionGrade>,
    probe: &Probe,
    machine: &Machine,
    left: usize,
) -> Jobs {
    let cost = &probe.cost;
    let Some(first) = first else {
        // Its task ended without a grade: nothing to go by.
        return Jobs {
            jobs: crate::default_jobs(),
            chosen_by: ChosenBy::Unrepresentative,
            measured: None,
        };
    };
    let choice = sockspec_grade::jobs::choose(cost, machine, left);
    let measured = Some(Measured {
        children_cpu_ms: probe.children_cpu.as_millis() as u64,
        machine_cpu_ms: probe.machine_cpu.map(|d| d.as_millis() as u64),
        ..Measured::new(&first.student, cost, machine, &choice)
    });
    if first.problem.is_some() || first.passed == 0 {
        Jobs {
            jobs: crate::default_jobs(),
            chosen_by: ChosenBy::Unrepresentative,
            measured,
        }
    } else {
        Jobs {
            jobs: choice.jobs,
            chosen_by: ChosenBy::Measured,
            measured,
        }
    }
}

/// One line for the grader: how many at once, and why.
pub fn describe(jobs: &Jobs, lang: Lang) -> String {
    let n = jobs.jobs;
    let why = match (jobs.chosen_by, &jobs.measured) {
        (ChosenBy::Measured, Some(m)) => measured(m, n, lang),
        (ChosenBy::Unrepresentative, Some(m)) => match lang {
            Lang::En => format!(
                "the default: the first submission, {}, passed nothing, so its run is no measure of the others",
                m.student
            ),
            Lang::Zh => format!(
                "默认值：第一份作业 {} 一项也没有通过，它的运行代表不了其他作业",
                m.student
            ),
        },
        (ChosenBy::Unrepresentative, None) => lang
            .pick(
                "the default: the first submission's run could not be measured",
                "默认值：第一份作业的运行没能测出",
            )
            .to_owned(),
        (ChosenBy::Flag, _) => lang
            .pick("--jobs, the grader's choice", "--jobs 指定")
            .to_owned(),
        (ChosenBy::OwnPorts, _) => lang
            .pick(
                "programs that choose their own port go one at a time",
                "自己选定端口的程序逐份评分",
            )
            .to_owned(),
        (ChosenBy::OneSubmission, _) => lang.pick("one submission", "只有一份作业").to_owned(),
        (ChosenBy::Default | ChosenBy::Measured, _) => lang
            .pick(
                "the default, the cores from 2 to 8: --no-calibrate measures nothing",
                "默认值：核数，2 到 8；--no-calibrate 不作测量",
            )
            .to_owned(),
    };
    match lang {
        Lang::En => format!("jobs: {n} at once ({why})"),
        Lang::Zh => format!("并行：同时评 {n} 份（{why}）"),
    }
}

/// What a measurement says, inside the parentheses of [`describe`].
fn measured(m: &Measured, n: usize, lang: Lang) -> String {
    let busy = if m.wall_ms == 0 {
        100
    } else {
        (m.cpu_ms as f64 * 100.0 / m.wall_ms as f64).round() as u64
    };
    let wall = m.wall_ms as f64 / 1000.0;
    let cores = m.cores;
    let zh = lang == Lang::Zh;
    let memory = match (m.memory_allows, zh) {
        (Some(k), false) => format!("memory allows {k}"),
        (Some(k), true) => format!("内存够 {k} 份"),
        (None, false) => "memory not known".to_owned(),
        (None, true) => "内存未知".to_owned(),
    };
    let bound = match (m.bound, zh) {
        (Bound::Submissions, false) => format!("; {n} submission{} left", plural(n)),
        (Bound::Submissions, true) => format!("；还剩 {n} 份"),
        (Bound::Ceiling, false) => format!("; at most {}", sockspec_grade::jobs::CEILING),
        (Bound::Ceiling, true) => format!("；最多 {} 份", sockspec_grade::jobs::CEILING),
        (Bound::Cpu | Bound::Cores | Bound::Memory, _) => String::new(),
    };
    let student = &m.student;
    if zh {
        format!(
            "一份作业（{student}）的运行用了一个核的 {busy}%，历时 {wall:.1} 秒；{cores} 个核；{memory}{bound}"
        )
    } else {
        format!(
            "a submission ({student}) used {busy}% of a core over {wall:.1} s; {cores} core{}; {memory}{bound}",
            plural(cores)
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_available_is_read_in_bytes() {
        let meminfo =
            "MemTotal:       32000000 kB\nMemFree:  1000 kB\nMemAvailable:   23926748 kB\n";
        assert_eq!(mem_available(meminfo), Some(23_926_748 * 1024));
        assert_eq!(mem_available("MemTotal: 1 kB\n"), None);
        assert_eq!(mem_available("MemAvailable: lots kB\n"), None);
        assert_eq!(mem_available("MemAvailable: 5 MB\n"), None);
    }

    #[test]
    fn the_graders_jobs_win_and_only_an_unsaid_count_is_measured() {
        let chosen = |asked, own_ports, n, no_calibrate| {
            without_measuring(asked, own_ports, n, no_calibrate).map(|j| (j.jobs, j.chosen_by))
        };
        assert_eq!(chosen(Some(5), false, 9, false), Some((5, ChosenBy::Flag)));
        assert_eq!(chosen(Some(1), true, 9, false), Some((1, ChosenBy::Flag)));
        assert_eq!(
            chosen(Some(5), true, 9, false),
            Some((1, ChosenBy::OwnPorts))
        );
        assert_eq!(chosen(None, true, 9, false), Some((1, ChosenBy::OwnPorts)));
        assert_eq!(
            chosen(None, false, 1, false),
            Some((1, ChosenBy::OneSubmission))
        );
        assert_eq!(
            chosen(None, false, 9, true),
            Some((crate::default_jobs(), ChosenBy::Default))
        );
        assert_eq!(chosen(None, false, 9, false), None);
    }

    fn cost() -> Probe {
        Probe {
            cost: RunCost {
                wall: Duration::from_millis(2400),
                cpu: Duration::from_millis(600),
                peak_memory: 30 << 20,
            },
            children_cpu: Duration::from_millis(450),
            machine_cpu: Some(Duration::from_millis(600)),
        }
    }

    #[test]
    fn the_machines_busy_time_is_read_from_proc_stat() {
        let stat = "cpu  100 5 50 9000 20 3 2 7 0 0\ncpu0 50 2 25 4500 10 1 1 3 0 0\nintr 1\n";
        assert_eq!(machine_busy(stat, 100), Some(Duration::from_millis(1600)));
        assert_eq!(machine_busy(stat, 1000), Some(Duration::from_millis(160)));
        assert_eq!(machine_busy("cpu0 1 2 3 4 5 6 7\n", 100), None);
        assert_eq!(machine_busy("cpu  1 2 x 4 5 6 7\n", 100), None);
        assert_eq!(machine_busy("cpu  1 2 3\n", 100), None);
    }

    #[test]
    fn a_runs_cpu_time_is_the_larger_count() {
        let at = |children_ms, machine_ms: Option<u64>| Usage {
            children_cpu: Duration::from_millis(children_ms),
            max_rss: 30 << 20,
            machine_cpu: machine_ms.map(Duration::from_millis),
        };
        let wall = Duration::from_secs(2);
        let p = at(1300, Some(11_800)).since(&at(100, Some(10_000)), wall);
        assert_eq!(p.cost.cpu, Duration::from_millis(1800), "the machine's");
        let p = at(1300, Some(10_500)).since(&at(100, Some(10_000)), wall);
        assert_eq!(p.cost.cpu, Duration::from_millis(1200), "the children's");
        let p = at(1300, None).since(&at(100, Some(10_000)), wall);
        assert_eq!(
            (p.cost.cpu, p.machine_cpu),
            (Duration::from_millis(1200), None)
        );
        assert_eq!(p.cost.peak_memory, 30 << 20);
    }

    fn two_cores() -> Machine {
        Machine {
            cores: 2,
            memory_available: Some(16 << 30),
            program_memory_limit: 1 << 30,
            programs_per_run: 4,
        }
    }

    #[test]
    fn a_run_that_passed_nothing_keeps_the_default() {
        let mut first = SubmissionGrade::broken("alice", "no report".into(), 2, 10);
        let jobs = from_measurement(Some(&first), &cost(), &two_cores(), 20);
        assert_eq!(
            (jobs.jobs, jobs.chosen_by),
            (crate::default_jobs(), ChosenBy::Unrepresentative)
        );
        assert!(
            describe(&jobs, Lang::En).contains("alice, passed nothing"),
            "{}",
            describe(&jobs, Lang::En)
        );
        let unknown = from_measurement(None, &cost(), &two_cores(), 20);
        assert_eq!(unknown.chosen_by, ChosenBy::Unrepresentative);
        assert!(describe(&unknown, Lang::En).contains("could not be measured"));
        first.problem = None;
        first.passed = 1;
        let jobs = from_measurement(Some(&first), &cost(), &two_cores(), 20);
        assert_eq!((jobs.jobs, jobs.chosen_by), (8, ChosenBy::Measured));
    }

    #[test]
    fn the_line_says_what_was_measured_in_both_languages() {
        let mut first = SubmissionGrade::broken("alice", String::new(), 0, 0);
        (first.problem, first.passed) = (None, 2);
        let jobs = from_measurement(Some(&first), &cost(), &two_cores(), 20);
        assert_eq!(
            describe(&jobs, Lang::En),
            "jobs: 8 at once (a submission (alice) used 25% of a core over 2.4 s; 2 cores; memory allows 96)"
        );
        assert_eq!(
            describe(&jobs, Lang::Zh),
            "并行：同时评 8 份（一份作业（alice）的运行用了一个核的 25%，历时 2.4 秒；2 个核；内存够 96 份）"
        );
        let jobs = from_measurement(Some(&first), &cost(), &two_cores(), 3);
        assert!(describe(&jobs, Lang::En).ends_with("; 3 submissions left)"));
        let flag = without_measuring(Some(1), false, 3, false).unwrap();
        assert_eq!(
            describe(&flag, Lang::En),
            "jobs: 1 at once (--jobs, the grader's choice)"
        );
        assert_eq!(
            describe(&flag, Lang::Zh),
            "并行：同时评 1 份（--jobs 指定）"
        );
    }
}

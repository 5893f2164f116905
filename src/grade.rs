//! `sockspec grade` and `sockspec merge`: a teacher's batch.
//!
//! Each submission is graded by a `sockspec run --assignment` process of
//! its own, which writes the submission's reports; this process only
//! schedules them (`--jobs`), watches their wall time, and gathers the
//! scores. A process per submission is what makes `--isolate net` simple
//! (the child enters its own network namespace before it starts anything,
//! so every socket and every target of that submission lives in it) and
//! what keeps one submission's disaster (a harness bug, a flood of output)
//! from touching the others' grades.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sockspec_grade::{BatchReport, Submission, SubmissionGrade};
use sockspec_report::Lang;

use crate::cli::{GradeArgs, Isolate, MergeArgs};
use crate::run::load_assignment;

/// A scenario's wall time when the assignment sets no budget, for the
/// deadline of a whole submission.
const DEFAULT_BUDGET: Duration = Duration::from_secs(60);
/// From SIGTERM to SIGKILL for a submission's run past its deadline.
const TERM_GRACE: Duration = Duration::from_secs(3);

pub fn grade(args: GradeArgs) -> u8 {
    match grade_result(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            2
        }
    }
}

fn grade_result(args: GradeArgs) -> Result<u8, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let assignment_file = std::fs::canonicalize(&args.assignment).map_err(|e| {
        format!(
            "cannot read the assignment {}: {e}",
            args.assignment.display()
        )
    })?;
    let assignment = load_assignment(&assignment_file)
        .map_err(|_| "the assignment has errors (above)".to_owned())?;
    // The scenarios are selected once here, so that a pattern that matches
    // nothing stops the batch before it starts, not 300 times.
    let suite = if assignment.suite.is_empty() {
        crate::load(&[]).map_err(|_| "the built-in suite has errors".to_owned())?
    } else {
        let base = assignment_file.parent().unwrap_or(Path::new("."));
        let paths: Vec<PathBuf> = assignment.suite.iter().map(|p| base.join(p)).collect();
        crate::load(&paths).map_err(|_| "the assignment's suite has errors (above)".to_owned())?
    };
    let scenarios = assignment.select(suite).map_err(|e| e.to_string())?;

    let mut submissions = sockspec_grade::discover(&args.submissions).map_err(|e| {
        format!(
            "cannot read the submissions folder {}: {e}",
            args.submissions.display()
        )
    })?;
    if !args.only.is_empty() {
        let unknown: Vec<&str> = args
            .only
            .iter()
            .filter(|n| !submissions.iter().any(|s| &s.name == *n))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            return Err(format!(
                "no submission named {} in {}",
                unknown.join(", "),
                args.submissions.display()
            ));
        }
        submissions.retain(|s| args.only.contains(&s.name));
    }
    if let Some(p) = &args.partition {
        submissions = p.select(submissions);
    }
    if submissions.is_empty() {
        return Err(format!(
            "no submissions to grade in {} (one sub-folder per submission)",
            args.submissions.display()
        ));
    }
    std::fs::create_dir_all(&args.out_dir)
        .map_err(|e| format!("cannot create {}: {e}", args.out_dir.display()))?;
    let out_dir = std::fs::canonicalize(&args.out_dir).map_err(|e| e.to_string())?;

    // Asked of a child: this process has threads, and a user namespace
    // (for a grader without root) is entered by a fresh process at start.
    let isolate = match (args.isolate, net_isolation_works(&exe)) {
        (Isolate::None, _) | (Isolate::Auto, false) => Isolate::None,
        (_, true) => Isolate::Net,
        (Isolate::Net, false) => {
            return Err("--isolate net: this machine does not allow a private network (run as root, or enable unprivileged user namespaces)".into());
        }
    };
    let lang = args.lang.unwrap_or_else(sockspec_report::Lang::from_env);
    if args.isolate == Isolate::Auto && isolate == Isolate::None {
        eprintln!(
            "{}",
            lang.pick(
                "note: no private networks on this machine: submissions share its loopback; clients of a non-local address are not run",
                "注意：这台机器不能建私有网络：所有作业共用它的回环网络；连接非本机地址的客户端不会运行"
            )
        );
    }
    let hard_coded: Vec<String> = assignment
        .programs
        .iter()
        .filter(|p| p.addressing().picks_own_port())
        .map(|p| match (p.port, p.server) {
            (Some(port), _) => format!("{} (port {port})", p.role),
            (None, Some(s)) => format!("{} ({s})", p.role),
            (None, None) => p.role.to_string(),
        })
        .collect();
    let own_ports = isolate == Isolate::None && !hard_coded.is_empty();
    if own_ports && args.jobs != Some(1) {
        let which = hard_coded.join(", ");
        match lang {
            sockspec_report::Lang::En => eprintln!(
                "note: {which} choose their own port; without a private network per scenario (--isolate net) submissions are graded one at a time"
            ),
            sockspec_report::Lang::Zh => eprintln!(
                "注意：{which} 自己选定端口；每个场景没有私有网络（--isolate net）时，作业逐份评分"
            ),
        }
    }
    // Said once here; each submission's run would say it again.
    let wanted = crate::homework::sandbox(&assignment, &args.submissions);
    for note in wanted.expected().shortfalls(&wanted) {
        eprintln!("note: {}", sockspec_report::shortfall(&note, lang));
    }
    // The user's scale (flag, else SOCKSPEC_TIME_SCALE), on top of
    // calibration; each submission's run is then given the product.
    let user_scale = sockspec_runner::timing::user_scale(args.time_scale);
    let calibrated = if args.no_calibrate {
        1.0
    } else {
        let c = crate::calibrate::calibrate(&exe);
        eprintln!("{}", c.describe(lang));
        c.scale
    };
    // How many at once: said now, unless the first submission's run is
    // to be measured for it (then said once it has been).
    let fixed_jobs =
        crate::jobs::without_measuring(args.jobs, own_ports, submissions.len(), args.no_calibrate);
    if let Some(j) = &fixed_jobs {
        eprintln!("{}", crate::jobs::describe(j, lang));
    }
    let (program_memory, programs_per_run) = (wanted.limits.memory_bytes, args.scenario_jobs);
    let scale = calibrated * user_scale;
    let retries = args.retries.or(assignment.retries).unwrap_or(1);
    // A submission's run may take, at most, every try of every scenario
    // at its budget; past that (plus a margin) it is stopped.
    let per_scenario: Duration = assignment
        .programs
        .iter()
        .map(|p| p.budget.unwrap_or(DEFAULT_BUDGET))
        .max()
        .unwrap_or(DEFAULT_BUDGET);
    // Builds come first, each within its own deadline.
    let builds = assignment
        .build_deadline
        .unwrap_or(sockspec_runner::build::DEFAULT_DEADLINE)
        .mul_f64(scale * assignment.builds(None).len() as f64);
    let deadline = per_scenario
        .mul_f64(scale * f64::from(retries + 1) * scenarios.len().max(1) as f64)
        + builds
        + Duration::from_secs(30);

    let plan = Arc::new(ChildPlan {
        exe,
        assignment: assignment_file,
        out_dir: out_dir.clone(),
        retries,
        scale,
        isolate,
        gradescope: args.gradescope,
        autolab: args.autolab,
        fresh: args.fresh,
        html: args.html,
        lang: args.lang,
        scenario_jobs: args.scenario_jobs,
        deadline,
        interpreters: crate::homework::interpreters(
            assignment.programs.iter().map(|p| p.command.as_str()),
            &args.submissions,
        ),
    });
    let started = Instant::now();
    let runtime = crate::runtime(tokio::runtime::Builder::new_multi_thread())
        .map_err(|_| "cannot start the async runtime".to_owned())?;
    let bar = progress(submissions.len());
    let graded = runtime.block_on(async {
        match fixed_jobs {
            Some(j) => grade_all(plan, submissions, j.jobs, &bar)
                .await
                .map(|g| (g, j)),
            None => {
                let mut rest = submissions.into_iter();
                let first: Vec<Submission> = rest.by_ref().take(1).collect();
                let rest: Vec<Submission> = rest.collect();
                // Alone, so that this process's children, and the
                // machine's work, are the run and nothing else.
                let before = crate::jobs::Usage::now();
                let alone = Instant::now();
                let mut grades = grade_all(plan.clone(), first, 1, &bar).await?;
                let probe = crate::jobs::Usage::now().since(&before, alone.elapsed());
                let machine = crate::jobs::machine(program_memory, programs_per_run);
                let j = crate::jobs::from_measurement(grades.first(), &probe, &machine, rest.len());
                bar.suspend(|| eprintln!("{}", crate::jobs::describe(&j, lang)));
                grades.extend(grade_all(plan, rest, j.jobs, &bar).await?);
                Some((grades, j))
            }
        }
    });
    bar.finish_and_clear();
    let (grades, jobs) = match graded {
        Some(g) => g,
        None => {
            eprintln!("sockspec: cancelled; every submission's run was stopped");
            return Ok(130);
        }
    };
    let batch = BatchReport {
        assignment: assignment.name.clone(),
        partition: args.partition.map(|p| p.to_string()),
        time_scale: scale,
        isolation: match isolate {
            Isolate::Net => "net",
            Isolate::None | Isolate::Auto => "process",
        }
        .to_owned(),
        jobs: Some(jobs.clone()),
        submissions: grades,
    };
    write_outputs(&batch, &out_dir)?;
    let lang = args.lang.unwrap_or_else(Lang::from_env);
    let dashboard = if args.html {
        Some(write_dashboard(&batch, &out_dir, lang)?)
    } else {
        None
    };
    print!("{}", sockspec_report::batch_table(&batch, lang));
    print!("{}", sockspec_report::class_summary(&batch, lang));
    if let Some(path) = dashboard {
        match lang {
            Lang::En => println!("class dashboard: {}", path.display()),
            Lang::Zh => println!("全班概览：{}", path.display()),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let jobs = jobs.jobs;
    match lang {
        Lang::En => println!(
            "graded in {secs:.1} s with --jobs {jobs}; reports in {}",
            out_dir.display()
        ),
        Lang::Zh => println!(
            "评分用时 {secs:.1} 秒（--jobs {jobs}）；报告在 {}",
            out_dir.display()
        ),
    }
    Ok(if batch.submissions.iter().any(|s| s.problem.is_some()) {
        2
    } else {
        0
    })
}

/// How every submission's run is started.
struct ChildPlan {
    exe: PathBuf,
    assignment: PathBuf,
    out_dir: PathBuf,
    retries: u32,
    scale: f64,
    isolate: Isolate,
    gradescope: bool,
    autolab: bool,
    /// `--fresh` for every submission's run.
    fresh: bool,
    /// The Python interpreters behind the shims, asked once for the batch.
    interpreters: String,
    html: bool,
    lang: Option<sockspec_report::Lang>,
    scenario_jobs: u32,
    deadline: Duration,
}

/// A progress bar for `n` submissions on a terminal, else a hidden one.
fn progress(n: usize) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(n as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed}] {bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Grades the submissions, `jobs` at a time, counting them on `bar`, in
/// their order; `None` when cancelled (every child is stopped first).
async fn grade_all(
    plan: Arc<ChildPlan>,
    submissions: Vec<Submission>,
    jobs: usize,
    bar: &indicatif::ProgressBar,
) -> Option<Vec<SubmissionGrade>> {
    let gate = Arc::new(tokio::sync::Semaphore::new(jobs));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, s) in submissions.into_iter().enumerate() {
        let (gate, plan, bar, stop) = (gate.clone(), plan.clone(), bar.clone(), stop_rx.clone());
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await.ok()?;
            if *stop.borrow() {
                return None;
            }
            let grade = grade_one(&plan, &s, stop).await;
            bar.inc(1);
            bar.set_message(format!(
                "{}: {}/{}",
                grade.student, grade.points, grade.points_possible
            ));
            Some((i, grade))
        });
    }
    let gather = async {
        let mut grades = Vec::new();
        while let Some(done) = tasks.join_next().await {
            if let Ok(Some(g)) = done {
                grades.push(g);
            }
        }
        grades
    };
    tokio::pin!(gather);
    let grades = tokio::select! {
        g = &mut gather => g,
        () = crate::run::cancelled() => {
            let _ = stop_tx.send(true);
            // Every child gets SIGTERM and stops its programs; wait for them.
            let _ = (&mut gather).await;
            return None;
        }
    };
    let mut grades = grades;
    grades.sort_by_key(|(i, _)| *i);
    Some(grades.into_iter().map(|(_, g)| g).collect())
}

/// Runs one submission's `sockspec run` and reads its grade.
async fn grade_one(
    plan: &ChildPlan,
    s: &Submission,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> SubmissionGrade {
    let started = Instant::now();
    let dir = plan.out_dir.join(&s.name);
    let broken = |problem: String, code: i32| {
        SubmissionGrade::broken(&s.name, problem, code, started.elapsed().as_millis() as u64)
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return broken(format!("cannot create {}: {e}", dir.display()), -1);
    }
    let json = dir.join("report.json");
    let _ = std::fs::remove_file(&json);
    let mut cmd = tokio::process::Command::new(&plan.exe);
    cmd.arg("run")
        .arg("--assignment")
        .arg(&plan.assignment)
        .arg("--submission")
        .arg(&s.dir)
        .arg("--format")
        .arg("human")
        .arg("--out")
        .arg(dir.join("report.txt"))
        .arg("--report")
        .arg(format!("json={}", json.display()))
        .args(["--jobs", &plan.scenario_jobs.to_string()])
        .args(["--retries", &plan.retries.to_string()])
        .args(["--time-scale", &plan.scale.to_string()])
        .args(["--isolate", plan.isolate.as_str()])
        .args(plan.fresh.then_some("--fresh"))
        .env(crate::homework::INTERPRETERS_ENV, &plan.interpreters)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if plan.gradescope {
        cmd.arg("--report")
            .arg(format!("gradescope={}", dir.join("results.json").display()));
    }
    if plan.autolab {
        cmd.arg("--report")
            .arg(format!("autolab={}", dir.join("autolab.txt").display()));
    }
    if plan.html {
        cmd.arg("--report")
            .arg(format!("html={}", dir.join("report.html").display()));
    }
    if let Some(lang) = plan.lang {
        cmd.args(["--lang", lang.as_str()]);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return broken(format!("cannot start sockspec: {e}"), -1),
    };
    let stderr = child.stderr.take();
    let stderr_text = tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let mut buf = Vec::new();
        if let Some(mut e) = stderr {
            // A harness's own stderr is small; cap it anyway.
            let _ = (&mut e).take(64 * 1024).read_to_end(&mut buf).await;
        }
        String::from_utf8_lossy(&buf).into_owned()
    });
    let pid = child.id();
    let terminate = |pid: Option<u32>| {
        if let Some(pid) = pid {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
    };
    // Past its deadline, or when the batch is cancelled, a run gets
    // SIGTERM (it stops its programs), then SIGKILL if it lingers.
    let (finished, over) = tokio::select! {
        st = child.wait() => (Some(st), false),
        _ = tokio::time::sleep(plan.deadline) => (None, true),
        _ = stop.changed() => (None, false),
    };
    let status = match finished {
        Some(st) => st,
        None => {
            terminate(pid);
            match tokio::time::timeout(TERM_GRACE, child.wait()).await {
                Ok(st) => st,
                Err(_) => {
                    let _ = child.kill().await;
                    child.wait().await
                }
            }
        }
    };
    let code = status.ok().and_then(|s| s.code()).unwrap_or(-1);
    let stderr = stderr_text.await.unwrap_or_default();
    if over {
        return broken(
            format!(
                "its run took longer than {:.0} s and was stopped",
                plan.deadline.as_secs_f64()
            ),
            code,
        );
    }
    let report = std::fs::read_to_string(&json)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).map_err(|e| e.to_string()));
    let relative = format!("{}/report.json", s.name);
    match report.and_then(|r| {
        SubmissionGrade::from_report(
            &s.name,
            &r,
            code,
            started.elapsed().as_millis() as u64,
            &relative,
        )
    }) {
        Ok(g) => g,
        Err(e) => {
            let why = stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim()
                .to_owned();
            broken(
                if why.is_empty() {
                    format!("no report ({e})")
                } else {
                    format!("no report: {why}")
                },
                code,
            )
        }
    }
}

/// grade.json and scores.csv in the output folder.
fn write_outputs(batch: &BatchReport, out_dir: &Path) -> Result<(), String> {
    let json = serde_json::to_string_pretty(batch).map_err(|e| e.to_string())?;
    let path = out_dir.join("grade.json");
    std::fs::write(&path, json + "\n")
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let path = out_dir.join("scores.csv");
    let file = std::fs::File::create(&path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    batch
        .write_csv(std::io::BufWriter::new(file))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The class dashboard, index.html in the output folder, linking to the
/// report.html of each submission that has one.
fn write_dashboard(
    batch: &BatchReport,
    out_dir: &Path,
    lang: sockspec_report::Lang,
) -> Result<PathBuf, String> {
    let reports: sockspec_report::ReportPaths = batch
        .submissions
        .iter()
        .map(|s| format!("{}/report.html", s.student))
        .filter(|rel| out_dir.join(rel).is_file())
        .map(|rel| (rel.trim_end_matches("/report.html").to_owned(), rel))
        .collect();
    let path = out_dir.join("index.html");
    std::fs::write(&path, sockspec_report::class_page(batch, &reports, lang))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// Whether a child can enter a private network: asked of a child, since
/// this process already has threads of its own by the time it matters.
fn net_isolation_works(exe: &Path) -> bool {
    static WORKS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *WORKS.get_or_init(|| {
        std::process::Command::new(exe)
            .arg("netns-probe")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

pub fn merge(args: MergeArgs) -> u8 {
    let mut parts = Vec::new();
    for path in &args.reports {
        // Each job's reports stay in its own folder: point at them from the
        // merged report by absolute paths.
        let base = std::fs::canonicalize(path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return 2;
            }
        };
        match serde_json::from_str::<BatchReport>(&text) {
            Ok(mut b) => {
                for s in &mut b.submissions {
                    if !s.report.is_empty() {
                        s.report = base.join(&s.report).display().to_string();
                    }
                }
                parts.push(b)
            }
            Err(e) => {
                eprintln!(
                    "error: {}:{}:{}: not a batch report of `sockspec grade` ({e})",
                    path.display(),
                    e.line(),
                    e.column()
                );
                return 2;
            }
        }
    }
    if args.partial
        && let Ok(missing) = BatchReport::missing_shares(&parts)
        && !missing.is_empty()
    {
        let list: Vec<String> = missing.iter().map(u32::to_string).collect();
        eprintln!(
            "warning: share(s) {} missing: their students have no grade in this merge",
            list.join(", ")
        );
    }
    let whole = match BatchReport::merge(parts, args.partial) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let mut whole = whole;
    let lang = args.lang.unwrap_or_else(Lang::from_env);
    let written = std::fs::create_dir_all(&args.out_dir)
        .map_err(|e| format!("cannot create {}: {e}", args.out_dir.display()))
        .and_then(|()| gather_reports(&mut whole, &args.out_dir))
        .and_then(|()| write_outputs(&whole, &args.out_dir))
        .and_then(|()| {
            args.html
                .then(|| write_dashboard(&whole, &args.out_dir, lang))
                .transpose()
        });
    let dashboard = match written {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    print!("{}", sockspec_report::batch_table(&whole, lang));
    print!("{}", sockspec_report::class_summary(&whole, lang));
    if let Some(path) = dashboard {
        match lang {
            Lang::En => println!("class dashboard: {}", path.display()),
            Lang::Zh => println!("全班概览：{}", path.display()),
        }
    }
    0
}

/// Copies each student's report folder from the job that graded it into
/// `out_dir`, where one `grade` run would have written it, and points the
/// merged report at the copy: the merged folder is then the whole class,
/// whichever machines graded it. A job whose folder was not kept (only its
/// grade.json) leaves its students pointing at where it was.
fn gather_reports(batch: &mut BatchReport, out_dir: &Path) -> Result<(), String> {
    let out = std::fs::canonicalize(out_dir)
        .map_err(|e| format!("cannot read {}: {e}", out_dir.display()))?;
    for s in &mut batch.submissions {
        let report = PathBuf::from(&s.report);
        let Some(folder) = report.parent().filter(|f| f.is_dir()) else {
            continue;
        };
        let to = out.join(&s.student);
        if std::fs::canonicalize(folder).is_ok_and(|f| f == to) {
            continue;
        }
        std::fs::create_dir_all(&to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
        for entry in std::fs::read_dir(folder)
            .map_err(|e| format!("cannot read {}: {e}", folder.display()))?
            .flatten()
        {
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                let target = to.join(entry.file_name());
                std::fs::copy(entry.path(), &target)
                    .map_err(|e| format!("cannot copy to {}: {e}", target.display()))?;
            }
        }
        if let Some(name) = report.file_name() {
            s.report = format!("{}/{}", s.student, name.to_string_lossy());
        }
    }
    Ok(())
}

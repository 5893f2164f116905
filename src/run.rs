//! `sockspec run`: from command-line words (or an assignment file) to a run
//! configuration, the run's events to every reporter asked for, and the
//! summary to an exit code.
//!
//! A run is cancelled as a whole on Ctrl-C or SIGTERM: the runtime is shut
//! down, which drops every scenario and with it every target, and a target
//! dropped is a process group killed. A student pressing Ctrl-C, or a batch
//! killing a submission that ran over its time, leaves nothing running.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use sockspec_model::{Assignment, Contract, Role, Scenario, Source, Visibility};
use sockspec_report::Reporter;
use sockspec_runner::{Program, RunConfig, Timing};

use crate::cli::{Format, Isolate, RunArgs};
use crate::homework::{
    hard_coded_server, leaves_the_machine, named_addresses, sandbox, where_names_are, without_shim,
};
use crate::{default_jobs, load, runtime};

/// Exit code of a run cut short by a signal (128 + SIGINT, as shells do).
const CANCELLED: u8 = 130;

/// What is graded: the scenarios and a program per role.
struct Plan {
    scenarios: Vec<Scenario>,
    programs: Vec<Program>,
    label: String,
    strict: bool,
    retries: u32,
    visibility: Visibility,
    /// Scenarios Gradescope shows otherwise than `visibility`, by id.
    test_visibility: BTreeMap<String, Visibility>,
    builds: Vec<sockspec_runner::build::Build>,
}

pub fn run(args: RunArgs) -> u8 {
    if args.build.iter().any(|b| b.trim().is_empty()) {
        eprintln!("error: --build needs a command, e.g. --build \"gcc -Wall -o server server.c\"");
        return 2;
    }
    // A program that hard-codes its port would meet, in every scenario, the
    // TIME_WAIT the one before left on that port: a private network per
    // scenario gives each a port of its own.
    let hard_codes_port = args.port.is_some()
        || args
            .target
            .as_deref()
            .is_some_and(|t| !t.contains("{port}"));
    let wanted = args
        .isolate
        .unwrap_or(if args.assignment.is_some() || hard_codes_port {
            Isolate::Auto
        } else {
            Isolate::None
        });
    // Before the runtime exists: without root, a user namespace can only
    // be entered while the process has a single thread.
    let private = match private_networks(wanted) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let plan = match args.assignment.as_deref() {
        Some(file) => assignment_plan(&args, file, private),
        None => command_line_plan(&args, private),
    };
    let Plan {
        mut scenarios,
        programs,
        label,
        strict,
        retries,
        visibility,
        test_visibility,
        builds,
    } = match plan {
        Ok(p) => p,
        Err(code) => return code,
    };
    if !args.only.is_empty() {
        let unknown: Vec<&str> = args
            .only
            .iter()
            .filter(|id| !scenarios.iter().any(|s| &s.id == *id))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            eprintln!(
                "error: no scenario with id {} (see `sockspec list`)",
                unknown.join(", ")
            );
            return 2;
        }
        scenarios.retain(|s| args.only.contains(&s.id));
    }
    let scale = sockspec_runner::timing::user_scale(args.time_scale);
    let config = RunConfig {
        programs,
        target_label: label,
        host: std::net::Ipv4Addr::LOCALHOST,
        jobs: args.jobs.unwrap_or_else(default_jobs),
        strict,
        timing: Timing::scaled(scale),
        seed: args.seed.unwrap_or(sockspec_runner::DEFAULT_SEED),
        cases: args.cases,
        retries,
        command_line: rerun_command(&args),
        builds,
        share: !args.fresh,
    };
    let mut reporters = match reporters(&args, visibility, &test_visibility) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let runtime = match runtime(tokio::runtime::Builder::new_multi_thread()) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let outcome = runtime.block_on(async move {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let run = tokio::spawn(sockspec_runner::run(scenarios, config, tx));
        let report = async {
            // A reporter whose output is gone (`| head` closed the pipe) is
            // told once and then left out; the run still finishes, so that
            // every program is stopped. stderr may be the same closed pipe:
            // saying so must not panic.
            let mut broken = vec![false; reporters.len()];
            while let Some(event) = rx.recv().await {
                for (r, broken) in reporters.iter_mut().zip(broken.iter_mut()) {
                    if *broken {
                        continue;
                    }
                    if let Err(e) = r.event(&event) {
                        *broken = true;
                        let _ = writeln!(std::io::stderr(), "error: cannot write the report: {e}");
                    }
                }
            }
            run.await.ok()
        };
        tokio::select! {
            summary = report => Some(summary),
            () = cancelled() => None,
        }
    });
    // Dropping the runtime drops every scenario still running, and so
    // kills every target still running.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match outcome {
        Some(Some(s)) => s.exit_code() as u8,
        Some(None) => {
            eprintln!("error: the run ended abnormally");
            2
        }
        None => {
            eprintln!("sockspec: cancelled; every program under test was stopped");
            CANCELLED
        }
    }
}

/// Whether each scenario gets a private network: never with `none`; with
/// `net`, or an error when the machine cannot; with `auto`, where it can
/// (said once where it cannot).
pub fn private_networks(wanted: Isolate) -> Result<bool, u8> {
    if wanted == Isolate::None {
        return Ok(false);
    }
    let works = match sockspec_netns::prepare() {
        Ok(_) => sockspec_netns::threads_can_isolate(),
        Err(_) => false,
    };
    match (works, wanted) {
        (true, _) => Ok(true),
        (false, Isolate::Net) => {
            eprintln!(
                "error: --isolate net: this machine does not allow a private network (run as root, or enable unprivileged user namespaces)"
            );
            Err(2)
        }
        (false, _) => {
            eprintln!(
                "note: no private networks on this machine: programs share its loopback; those that hard-code a port run one scenario at a time, and clients of a non-local address are not run"
            );
            Ok(false)
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn cancelled() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// The reporters: `--format` to `--out` (or stdout), then every `--report`.
fn reporters(
    args: &RunArgs,
    visibility: Visibility,
    test_visibility: &BTreeMap<String, Visibility>,
) -> Result<Vec<Box<dyn Reporter>>, u8> {
    let create = |path: &Path| -> Result<Box<dyn Write + Send>, u8> {
        match std::fs::File::create(path) {
            Ok(f) => Ok(Box::new(std::io::BufWriter::new(f))),
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                Err(2)
            }
        }
    };
    let mut all = Vec::new();
    let (out, to_terminal): (Box<dyn Write + Send>, bool) = match &args.out {
        Some(path) => (create(path)?, false),
        None => (Box::new(std::io::stdout()), std::io::stdout().is_terminal()),
    };
    let lang = args.lang.unwrap_or_else(sockspec_report::Lang::from_env);
    let make = |format, out, to_terminal| {
        let options = ReportOptions {
            visibility,
            test_visibility,
            lang,
            verbose: args.verbose,
            timeline: args.timeline,
        };
        reporter(format, out, to_terminal, &options)
    };
    all.push(make(args.format, out, to_terminal));
    for (format, path) in &args.reports {
        all.push(make(*format, create(path)?, false));
    }
    Ok(all)
}

/// What every reporter of a run is told.
struct ReportOptions<'a> {
    visibility: Visibility,
    test_visibility: &'a BTreeMap<String, Visibility>,
    lang: sockspec_report::Lang,
    verbose: bool,
    timeline: bool,
}

fn reporter(
    format: Format,
    out: Box<dyn Write + Send>,
    to_terminal: bool,
    o: &ReportOptions,
) -> Box<dyn Reporter> {
    match format {
        Format::Human => Box::new(sockspec_report::Human::new(
            out,
            sockspec_report::HumanOptions {
                color: sockspec_report::color_wanted(to_terminal),
                verbose: o.verbose,
                timeline: o.timeline,
                lang: o.lang,
                ..Default::default()
            },
        )),
        Format::Json => Box::new(sockspec_report::Json::new(out)),
        Format::Junit => Box::new(sockspec_report::Junit::new(out).with_lang(o.lang)),
        Format::Html => Box::new(sockspec_report::Html::new(
            out,
            sockspec_report::HtmlOptions { lang: o.lang },
        )),
        Format::Gradescope => Box::new(
            sockspec_report::Gradescope::new(
                out,
                sockspec_report::GradescopeOptions {
                    visibility: o.visibility.as_str().to_owned(),
                    tests: o
                        .test_visibility
                        .iter()
                        .map(|(id, v)| (id.clone(), v.as_str().to_owned()))
                        .collect(),
                },
            )
            .with_lang(o.lang),
        ),
        Format::Autolab => Box::new(sockspec_report::Autolab::new(out).with_lang(o.lang)),
    }
}

/// The plan of `run --target` (or of the references, without one).
fn command_line_plan(args: &RunArgs, private: bool) -> Result<Plan, u8> {
    let scenarios = load(&args.paths)?;
    let fail = |message: String| {
        eprintln!("error: {message}");
        2
    };
    if !args.build.is_empty() && args.target.is_none() {
        return Err(fail(
            "--build builds the program under test: give it with --target (or use --assignment)"
                .into(),
        ));
    }
    let roles = pick_roles(args, &scenarios).map_err(fail)?;
    let mut scenarios = scenarios;
    scenarios.retain(|s| roles.contains(&s.role));
    if scenarios.is_empty() {
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        return Err(fail(format!(
            "no scenario for role {} in the given paths",
            names.join(", ")
        )));
    }
    let contract = args.contract();
    let (commands, label): (Vec<(Role, String)>, String) = match &args.target {
        Some(t) => (roles.iter().map(|r| (*r, t.clone())).collect(), t.clone()),
        None => {
            sockspec_reference::check_contract(&contract).map_err(|e| fail(e.to_string()))?;
            let commands = roles
                .iter()
                .map(|r| reference_command(*r, &contract).map(|c| (*r, c)))
                .collect::<Result<Vec<_>, String>>()
                .map_err(fail)?;
            (commands, "the built-in references".to_owned())
        }
    };
    let cwd = args.cwd.clone().unwrap_or_else(|| PathBuf::from("."));
    let programs = commands
        .into_iter()
        .map(|(role, command)| {
            let own = named_addresses(&command, &cwd);
            let names = where_names_are(private, &own.names);
            Program {
                role,
                contract: contract.clone(),
                cwd: args.cwd.clone(),
                network: private.then(|| {
                    sockspec_netns::NetPlan::for_literals(own.literals.iter().copied())
                        .with_names(names.clone())
                }),
                missing: (!private)
                    .then(|| leaves_the_machine(role, &own, &names))
                    .flatten(),
                port: args.port,
                budget: None,
                sandbox: None,
                server: args
                    .target
                    .as_ref()
                    .and_then(|_| hard_coded_server(role, &command, &own, &names)),
                command: without_shim(&command, &cwd),
            }
        })
        .collect();
    let builds = args
        .build
        .iter()
        .map(|command| sockspec_runner::build::Build {
            command: command.clone(),
            dir: cwd.clone(),
            roles: Vec::new(),
            sandbox: None,
            deadline: sockspec_runner::build::DEFAULT_DEADLINE,
        })
        .collect();
    Ok(Plan {
        scenarios,
        programs,
        label,
        strict: args.strict,
        retries: args.retries.unwrap_or(0),
        visibility: Visibility::default(),
        test_visibility: BTreeMap::new(),
        builds,
    })
}

/// The plan of `run --assignment`: the assignment's programs, run in the
/// submission's folder, on the scenarios it selects.
fn assignment_plan(args: &RunArgs, file: &Path, private: bool) -> Result<Plan, u8> {
    let assignment = load_assignment(file)?;
    let submission = args
        .submission
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    let submission = match std::fs::canonicalize(&submission) {
        Ok(p) if p.is_dir() => p,
        _ => {
            eprintln!(
                "error: the submission {} is not a folder",
                submission.display()
            );
            return Err(2);
        }
    };
    let suite = if !args.paths.is_empty() {
        load(&args.paths)?
    } else if assignment.suite.is_empty() {
        load(&[])?
    } else {
        let base = file.parent().unwrap_or(Path::new("."));
        let paths: Vec<PathBuf> = assignment.suite.iter().map(|p| base.join(p)).collect();
        load(&paths)?
    };
    let mut scenarios = assignment.select(suite).map_err(|e| {
        eprintln!("{e}");
        2
    })?;
    // The private network of every program carries every address the
    // submission names anywhere (a server may bind what a client names).
    let everywhere = sockspec_netns::scan_folder(&submission);
    let mut programs: Vec<Program> = assignment
        .programs
        .iter()
        .map(|p| {
            let cwd = match &p.cwd {
                Some(sub) => submission.join(sub),
                None => submission.clone(),
            };
            let own = named_addresses(&p.command, &cwd);
            let names = where_names_are(
                private,
                &everywhere.names.union(&own.names).cloned().collect(),
            );
            let server = p
                .server
                .map(SocketAddr::V4)
                .or_else(|| hard_coded_server(p.role, &p.command, &own, &names));
            let mut literals = everywhere.literals.clone();
            literals.extend(server.and_then(|s| match s.ip() {
                std::net::IpAddr::V4(ip) => Some(ip),
                _ => None,
            }));
            // A program that is built is looked for once it is.
            let built = !assignment.builds(Some(p.role)).is_empty() || !args.build.is_empty();
            let missing = (!built)
                .then(|| sockspec_runner::files::missing_file(&p.command, &cwd))
                .flatten()
                .or_else(|| {
                    (!private)
                        .then(|| leaves_the_machine(p.role, &own, &names))
                        .flatten()
                });
            Program {
                role: p.role,
                command: without_shim(&p.command, &cwd),
                contract: p.contract.clone(),
                missing,
                cwd: Some(cwd),
                port: p.port,
                budget: p.budget,
                sandbox: Some(sandbox(&assignment, &submission)),
                server,
                network: private
                    .then(|| sockspec_netns::NetPlan::for_literals(literals).with_names(names)),
            }
        })
        .collect();
    let wanted = sandbox(&assignment, &submission);
    let lang = args.lang.unwrap_or_else(sockspec_report::Lang::from_env);
    for note in wanted.expected().shortfalls(&wanted) {
        eprintln!("note: {}", sockspec_report::shortfall(&note, lang));
    }
    if let Some(role) = args.role {
        if assignment.program(role).is_none() {
            eprintln!(
                "error: the assignment {} has no {role} program",
                assignment.file()
            );
            return Err(2);
        }
        programs.retain(|p| p.role == role);
        scenarios.retain(|s| s.role == role);
    }
    let deadline = assignment
        .build_deadline
        .unwrap_or(sockspec_runner::build::DEFAULT_DEADLINE);
    let build =
        |command: &str, cwd: Option<&str>, roles: Vec<Role>| sockspec_runner::build::Build {
            command: command.to_owned(),
            dir: cwd.map_or_else(|| submission.clone(), |c| submission.join(c)),
            roles,
            sandbox: Some(sandbox(&assignment, &submission)),
            deadline,
        };
    let mut builds: Vec<_> = args
        .build
        .iter()
        .map(|c| build(c, None, Vec::new()))
        .collect();
    builds.extend(
        assignment
            .builds(args.role)
            .into_iter()
            .map(|b| build(&b.command, b.cwd.as_deref(), b.roles)),
    );
    let test_visibility = scenarios
        .iter()
        .map(|s| (s.id.clone(), assignment.visibility_of(&s.id)))
        .filter(|(_, v)| *v != assignment.visibility)
        .collect();
    Ok(Plan {
        scenarios,
        programs,
        label: format!("{} ({})", submission.display(), assignment.name),
        strict: assignment.strict || args.strict,
        retries: args.retries.or(assignment.retries).unwrap_or(0),
        visibility: assignment.visibility,
        test_visibility,
        builds,
    })
}

/// An assignment file, loaded and checked; its errors printed.
pub fn load_assignment(file: &Path) -> Result<Assignment, u8> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read the assignment {}: {e}", file.display());
            return Err(2);
        }
    };
    let src = Source {
        name: file.display().to_string(),
        text,
    };
    sockspec_model::load_assignment(&src).map_err(|e| {
        eprintln!("{e}");
        2
    })
}

/// The command line that reruns this run, for a property failure's
/// "reproduce" line (the runner adds `--only ID --seed N`).
fn rerun_command(args: &RunArgs) -> String {
    let quote = |s: &str| {
        shlex::try_quote(s)
            .map(|q| q.into_owned())
            .unwrap_or_else(|_| format!("{s:?}"))
    };
    let mut words = vec!["sockspec".to_owned(), "run".to_owned()];
    words.extend(args.paths.iter().map(|p| quote(&p.to_string_lossy())));
    if let Some(a) = &args.assignment {
        words.push(format!("--assignment {}", quote(&a.to_string_lossy())));
        if let Some(s) = &args.submission {
            words.push(format!("--submission {}", quote(&s.to_string_lossy())));
        }
    }
    if let Some(role) = args.role {
        words.push(format!("--role {role}"));
    }
    if let Some(t) = &args.target {
        words.push(format!("--target {}", quote(t)));
    }
    for b in &args.build {
        words.push(format!("--build {}", quote(b)));
    }
    if args.assignment.is_none() {
        let c = args.contract();
        words.push(format!(
            "--reply {} --framing {}",
            quote(&c.reply.to_string()),
            c.framing
        ));
        if !c.quit.is_empty() {
            words.push(format!("--quit {}", quote(&c.quit)));
        }
        for page in &c.pages {
            words.push(format!("--page {}", quote(&page.to_string())));
        }
    }
    if let Some(cwd) = &args.cwd {
        words.push(format!("--cwd {}", quote(&cwd.to_string_lossy())));
    }
    if let Some(port) = args.port {
        words.push(format!("--port {port}"));
    }
    if args.strict {
        words.push("--strict".into());
    }
    if let Some(i) = args.isolate {
        words.push(format!("--isolate {}", i.as_str()));
    }
    words.join(" ")
}

/// The roles to run: the one named; or, grading the references, every role
/// the scenarios cover; a student's program needs its role named unless the
/// scenarios leave no doubt.
fn pick_roles(args: &RunArgs, scenarios: &[Scenario]) -> Result<Vec<Role>, String> {
    if let Some(role) = args.role {
        return Ok(vec![role]);
    }
    let mut roles: Vec<Role> = scenarios.iter().map(|s| s.role).collect();
    roles.sort();
    roles.dedup();
    match (roles.len(), &args.target) {
        (0, _) => Err("no scenarios to run".into()),
        (1, _) | (_, None) => Ok(roles),
        (_, Some(_)) => Err(format!(
            "--target needs --role: which program is it ({})?",
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The command that runs this binary's reference peer for a role.
pub fn reference_command(role: Role, contract: &Contract) -> Result<String, String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find this program's path: {e}"))?;
    let quote = |s: &str| {
        shlex::try_quote(s)
            .map(|q| q.into_owned())
            .map_err(|e| format!("cannot quote {s:?}: {e}"))
    };
    let exe = quote(&exe.to_string_lossy())?;
    let mut contract_args = format!(
        "--reply {} --framing {} --quit {}",
        quote(&contract.reply.to_string())?,
        contract.framing,
        quote(&contract.quit)?
    );
    for page in &contract.pages {
        contract_args.push_str(&format!(" --page {}", quote(&page.to_string())?));
    }
    Ok(match role {
        Role::BroadcastSender => format!("{exe} ref {role} --host {{broadcast}} --port {{port}}"),
        Role::BroadcastReceiver => format!("{exe} ref {role} --port {{port}}"),
        // A short timeout: the lost-reply scenario waits for it to expire,
        // and 250 ms is still far above any loopback round trip.
        Role::UdpClient => {
            format!(
                "{exe} ref {role} --host {{host}} --port {{port}} {contract_args} --timeout-ms 250"
            )
        }
        _ => format!("{exe} ref {role} --host {{host}} --port {{port}} {contract_args}"),
    })
}

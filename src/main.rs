//! `sockspec`: grade socket-programming homework by playing the other end of
//! the wire. This file is the edge: it turns command-line words into a run
//! configuration, wires the runner's events to a reporter, and turns the
//! outcome into an exit code (0 pass, 1 fail, 2 usage/scenario/target error).

mod builtin;
mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, Format, RefArgs, RunArgs};
use sockspec_model::{LoadError, Role, Scenario};
use sockspec_report::Reporter;
use sockspec_runner::{Program, RunConfig, Timing};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run(args) => run(args),
        Command::List { paths } => list(&paths),
        Command::Check { paths } => check(&paths),
        Command::Ref(args) => reference(args),
    };
    ExitCode::from(code)
}

/// Scenarios from the given paths, or the built-in suite; errors printed.
fn load(paths: &[std::path::PathBuf]) -> Result<Vec<Scenario>, u8> {
    let (scenarios, errors): (Vec<Scenario>, Vec<LoadError>) = if paths.is_empty() {
        builtin::suite()
    } else {
        sockspec_model::load_paths(paths)
    };
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("{e}\n");
        }
        eprintln!(
            "{} scenario file(s) could not be loaded; nothing was run",
            errors.len()
        );
        return Err(2);
    }
    Ok(scenarios)
}

fn list(paths: &[std::path::PathBuf]) -> u8 {
    let scenarios = match load(paths) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let width = scenarios.iter().map(|s| s.id.len()).max().unwrap_or(0);
    for s in &scenarios {
        println!(
            "{:width$}  {:<11}  {}",
            s.id,
            s.level.as_str(),
            s.title,
            width = width
        );
    }
    0
}

fn check(paths: &[std::path::PathBuf]) -> u8 {
    match load(paths) {
        Ok(s) => {
            println!("{} scenario(s) OK", s.len());
            0
        }
        Err(code) => code,
    }
}

fn run(args: RunArgs) -> u8 {
    let mut scenarios = match load(&args.paths) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if !args.only.is_empty() {
        let unknown: Vec<&String> = args
            .only
            .iter()
            .filter(|id| !scenarios.iter().any(|s| &s.id == *id))
            .collect();
        if !unknown.is_empty() {
            let names: Vec<&str> = unknown.iter().map(|s| s.as_str()).collect();
            eprintln!(
                "error: no scenario with id {} (see `sockspec list`)",
                names.join(", ")
            );
            return 2;
        }
        scenarios.retain(|s| args.only.contains(&s.id));
    }
    let roles = match pick_roles(&args, &scenarios) {
        Ok(r) => r,
        Err(message) => {
            eprintln!("error: {message}");
            return 2;
        }
    };
    scenarios.retain(|s| roles.contains(&s.role));
    if scenarios.is_empty() {
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        eprintln!(
            "error: no scenario for role {} in the given paths",
            names.join(", ")
        );
        return 2;
    }
    let contract = args.contract();
    let (commands, target_label): (Vec<(Role, String)>, String) = match &args.target {
        Some(t) => (roles.iter().map(|r| (*r, t.clone())).collect(), t.clone()),
        None => {
            let commands: Result<Vec<(Role, String)>, String> =
                sockspec_reference::check_contract(&contract)
                    .map_err(|e| e.to_string())
                    .and_then(|()| {
                        roles
                            .iter()
                            .map(|r| reference_command(*r, &contract).map(|c| (*r, c)))
                            .collect()
                    });
            match commands {
                Ok(cmds) => (cmds, "the built-in references".to_owned()),
                Err(message) => {
                    eprintln!("error: {message}");
                    return 2;
                }
            }
        }
    };
    let scale = args
        .time_scale
        .or_else(|| std::env::var("SOCKSPEC_TIME_SCALE").ok()?.parse().ok())
        .unwrap_or(1.0);
    let programs = commands
        .into_iter()
        .map(|(role, command)| Program {
            role,
            command,
            contract: contract.clone(),
            cwd: args.cwd.clone(),
            port: args.port,
        })
        .collect();
    let config = RunConfig {
        programs,
        target_label,
        host: std::net::Ipv4Addr::LOCALHOST,
        jobs: args.jobs.unwrap_or_else(default_jobs),
        strict: args.strict,
        timing: Timing::scaled(scale),
        seed: args.seed.unwrap_or(sockspec_runner::DEFAULT_SEED),
        cases: args.cases,
        retries: 0,
        budget: None,
        command_line: rerun_command(&args),
    };

    let (out, to_terminal): (Box<dyn Write + Send>, bool) = match &args.out {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => (Box::new(std::io::BufWriter::new(f)), false),
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                return 2;
            }
        },
        None => (Box::new(std::io::stdout()), std::io::stdout().is_terminal()),
    };
    let mut reporter: Box<dyn Reporter> = match args.format {
        Format::Human => Box::new(sockspec_report::Human::new(
            out,
            sockspec_report::HumanOptions {
                color: sockspec_report::color_wanted(to_terminal),
                ..Default::default()
            },
        )),
        Format::Json => Box::new(sockspec_report::Json::new(out)),
        Format::Junit => Box::new(sockspec_report::Junit::new(out)),
    };

    let runtime = match runtime(tokio::runtime::Builder::new_multi_thread()) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let summary = runtime.block_on(async move {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let run = tokio::spawn(sockspec_runner::run(scenarios, config, tx));
        while let Some(event) = rx.recv().await {
            if let Err(e) = reporter.event(&event) {
                eprintln!("error: cannot write the report: {e}");
            }
        }
        run.await.ok()
    });
    match summary {
        Some(s) => s.exit_code() as u8,
        None => {
            eprintln!("error: the run ended abnormally");
            2
        }
    }
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
    if let Some(role) = args.role {
        words.push(format!("--role {role}"));
    }
    if let Some(t) = &args.target {
        words.push(format!("--target {}", quote(t)));
    }
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
    if let Some(cwd) = &args.cwd {
        words.push(format!("--cwd {}", quote(&cwd.to_string_lossy())));
    }
    if let Some(port) = args.port {
        words.push(format!("--port {port}"));
    }
    if args.strict {
        words.push("--strict".into());
    }
    words.join(" ")
}

/// An async runtime, or exit code 2 with the reason printed.
fn runtime(mut builder: tokio::runtime::Builder) -> Result<tokio::runtime::Runtime, u8> {
    builder.enable_all().build().map_err(|e| {
        eprintln!("error: cannot start the async runtime: {e}");
        2
    })
}

fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 8)
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
fn reference_command(role: Role, contract: &sockspec_model::Contract) -> Result<String, String> {
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

fn reference(args: RefArgs) -> u8 {
    match reference_result(args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

/// Runs one reference peer: servers and receivers until killed, clients and
/// senders until their conversation ends.
fn reference_result(args: RefArgs) -> Result<(), String> {
    use sockspec_reference::{
        broadcast, http_client, http_server, tcp_client, tcp_server, udp_client, udp_server,
    };
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};

    let contract = args.contract.to_contract();
    sockspec_reference::check_contract(&contract).map_err(|e| e.to_string())?;
    let role = args.role;
    let host = args.host.unwrap_or(match role {
        Role::BroadcastSender => IpAddr::V4(Ipv4Addr::new(127, 255, 255, 255)),
        Role::BroadcastReceiver => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
    });
    let addr = SocketAddr::new(host, args.port);
    let sends = matches!(
        role,
        Role::TcpClient | Role::UdpClient | Role::BroadcastSender | Role::HttpClient
    );
    if sends && args.port == 0 {
        return Err(format!("{role} needs --port: the port to send to"));
    }
    let stdin = || std::io::stdin().lock();
    let stdout = || std::io::stdout().lock();
    let ended = |e: sockspec_reference::ReferenceError| e.to_string();
    match role {
        Role::TcpServer | Role::UdpServer | Role::HttpServer => {
            let runtime = runtime(tokio::runtime::Builder::new_current_thread())
                .map_err(|_| "cannot start the async runtime".to_owned())?;
            runtime.block_on(async move {
                if role == Role::HttpServer {
                    let listener = http_server::bind(addr)
                        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
                    let local = listener.local_addr().map_err(|e| e.to_string())?;
                    println!("reference http-server listening on http://{local}/");
                    http_server::serve(listener, contract).await.map_err(ended)
                } else if role == Role::TcpServer {
                    let listener = tcp_server::bind(addr)
                        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
                    let local = listener.local_addr().map_err(|e| e.to_string())?;
                    println!(
                        "reference tcp-server listening on {local} ({})",
                        contract.reply
                    );
                    tcp_server::serve(listener, contract).await.map_err(ended)
                } else {
                    let socket = udp_server::bind(addr)
                        .await
                        .map_err(|e| format!("cannot bind {addr}: {e}"))?;
                    let local = socket.local_addr().map_err(|e| e.to_string())?;
                    println!("reference udp-server bound to {local} ({})", contract.reply);
                    udp_server::serve(socket, contract).await.map_err(ended)
                }
            })
        }
        Role::TcpClient => tcp_client::run(addr, &contract, stdin(), stdout())
            .map(drop)
            .map_err(ended),
        Role::UdpClient => udp_client::run(
            addr,
            &contract.quit,
            std::time::Duration::from_millis(args.timeout_ms),
            stdin(),
            stdout(),
        )
        .map(drop)
        .map_err(ended),
        Role::BroadcastSender => {
            let IpAddr::V4(ip) = host else {
                return Err(format!(
                    "{host} is not an IPv4 address: IPv6 has no broadcast"
                ));
            };
            let plan = broadcast::Broadcast {
                to: std::net::SocketAddrV4::new(ip, args.port),
                text: args.text,
                count: args.count,
                interval: std::time::Duration::from_millis(args.interval_ms),
            };
            broadcast::send(&plan, stdout()).map_err(ended)
        }
        Role::BroadcastReceiver => {
            let socket =
                broadcast::bind_receiver(addr).map_err(|e| format!("cannot bind {addr}: {e}"))?;
            let local = socket.local_addr().map_err(|e| e.to_string())?;
            println!("reference broadcast-receiver bound to {local}");
            broadcast::receive(&socket, stdout()).map_err(ended)
        }
        Role::HttpClient => {
            http_client::run(addr, &args.method, &args.path, stdout()).map_err(ended)
        }
    }
}

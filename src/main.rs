//! `sockspec`: grade socket-programming homework by playing the other end of
//! the wire. This file is the edge: it turns command-line words into a run
//! configuration, wires the runner's events to a reporter, and turns the
//! outcome into an exit code (0 pass, 1 fail, 2 usage/scenario/target error).

mod builtin;
mod calibrate;
mod cli;
mod grade;
mod gradescope;
mod homework;
mod jobs;
mod run;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, RefArgs};
use sockspec_model::{LoadError, Role, Scenario};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run(args) => run::run(args),
        Command::List { paths } => list(&paths),
        Command::Check { paths } => check(&paths),
        Command::Ref(args) => reference(args),
        Command::Grade(args) => grade::grade(args),
        Command::Merge(args) => grade::merge(args),
        Command::Gradescope(command) => gradescope::gradescope(command),
        Command::Schema(args) => schema(&args),
        Command::NetnsProbe => match sockspec_netns::prepare() {
            Ok(_) if sockspec_netns::threads_can_isolate() => 0,
            Ok(_) => 2,
            Err(e) => {
                eprintln!("{e}");
                2
            }
        },
    };
    ExitCode::from(code)
}

/// Scenarios from the given paths, or the built-in suite; errors printed.
pub(crate) fn load(paths: &[std::path::PathBuf]) -> Result<Vec<Scenario>, u8> {
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

/// Prints (or writes) the JSON Schema of a file format.
fn schema(args: &cli::SchemaArgs) -> u8 {
    let text = sockspec_model::schema::schema_text(args.kind.file_kind());
    match &args.out {
        None => {
            print!("{text}");
            0
        }
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                2
            }
        },
    }
}

/// An async runtime, or exit code 2 with the reason printed.
pub(crate) fn runtime(mut builder: tokio::runtime::Builder) -> Result<tokio::runtime::Runtime, u8> {
    builder.enable_all().build().map_err(|e| {
        eprintln!("error: cannot start the async runtime: {e}");
        2
    })
}

pub(crate) fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 8)
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
    let sends = role.is_client();
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

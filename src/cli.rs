//! The command line, as clap types. The CLI contract is in DESIGN.md: other
//! tools rely on these names, so they are extended, never renamed.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use sockspec_model::{Contract, Framing, Page, ReplyRule, Role};

/// Grade socket-programming homework: sockspec plays the other end of the
/// wire and checks what the program does when peers connect, send in pieces,
/// leave, reset and restart.
#[derive(Parser, Debug)]
#[command(name = "sockspec", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run scenarios against a program (or the built-in reference).
    Run(RunArgs),
    /// List scenarios: id, level, title.
    List {
        /// Scenario files or folders (default: the built-in suite).
        paths: Vec<PathBuf>,
    },
    /// Check scenario files without running anything.
    Check {
        /// Scenario files or folders (default: the built-in suite).
        paths: Vec<PathBuf>,
    },
    /// Run a reference peer (a correct program for a role).
    Ref(RefArgs),
}

/// What the grader states about the program.
#[derive(Args, Debug, Clone)]
pub struct ContractArgs {
    /// How the program replies: echo, any, fixed:TEXT or regex:RE.
    #[arg(long, default_value = "any", value_parser = parse_reply)]
    pub reply: ReplyRule,
    /// How messages are delimited: none, line (\n) or len32 (4-byte length prefix).
    #[arg(long, default_value = "none", value_parser = parse_framing)]
    pub framing: Framing,
    /// The line that makes a client program quit.
    #[arg(long, default_value = "")]
    pub quit: String,
    /// http-server: what a path must answer, PATH=STATUS[:BODY-REGEX]
    /// (e.g. --page /=200:Welcome --page /missing=404); repeatable.
    #[arg(long = "page", value_parser = parse_page)]
    pub pages: Vec<Page>,
}

impl ContractArgs {
    pub fn to_contract(&self) -> Contract {
        Contract {
            reply: self.reply.clone(),
            framing: self.framing,
            quit: self.quit.clone(),
            pages: self.pages.clone(),
        }
    }
}

fn parse_reply(s: &str) -> Result<ReplyRule, String> {
    s.parse()
        .map_err(|e: sockspec_model::ContractError| e.to_string())
}

fn parse_page(s: &str) -> Result<Page, String> {
    s.parse()
        .map_err(|e: sockspec_model::ContractError| e.to_string())
}

fn parse_framing(s: &str) -> Result<Framing, String> {
    s.parse()
        .map_err(|e: sockspec_model::ContractError| e.to_string())
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
        .map_err(|e: sockspec_model::ContractError| e.to_string())
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenario files or folders (default: the built-in suite).
    pub paths: Vec<PathBuf>,
    /// The kind of program under test.
    #[arg(long, value_parser = parse_role)]
    pub role: Option<Role>,
    /// The program's command line, with {port} and {host} placeholders,
    /// e.g. "python3 server.py {port}" (split like a shell, never run by one).
    /// Without it the built-in reference is graded.
    #[arg(long)]
    pub target: Option<String>,
    #[command(flatten)]
    pub contract: ContractArgs,
    /// A fixed port, for a program that hard-codes its own (runs one scenario at a time).
    #[arg(long)]
    pub port: Option<u16>,
    /// The working directory of the program.
    #[arg(long)]
    pub cwd: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Scenarios run at once, each against its own copy of the program on its own port.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Recommended scenarios count toward the verdict too.
    #[arg(long)]
    pub strict: bool,
    /// Seed for generated cases (property scenarios); the default is fixed, so grades are reproducible.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Cases per property scenario (default: each scenario's own count).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub cases: Option<u32>,
    /// Run only the scenario with this id (repeatable), e.g. to reproduce a failure.
    #[arg(long = "only")]
    pub only: Vec<String>,
    /// Multiply every deadline by this factor (also SOCKSPEC_TIME_SCALE); for slow machines.
    #[arg(long)]
    pub time_scale: Option<f64>,
}

impl RunArgs {
    pub fn contract(&self) -> Contract {
        self.contract.to_contract()
    }
}

/// The reference peers take the same contract flags as `run`, so that a
/// grader can try a contract by hand before pointing it at 300 programs.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  sockspec ref tcp-server --port 9000 --reply fixed:Thanks
  sockspec ref tcp-client --port 9000 --framing line
  sockspec ref udp-server --port 9000 --reply echo
  sockspec ref udp-client --port 9000 --timeout-ms 2000
  sockspec ref broadcast-sender --port 9000 --text hello --count 3
  sockspec ref broadcast-receiver --port 9000
  sockspec ref http-server --port 8000 --page /missing=404
  sockspec ref http-client --port 8000 --path /index.html")]
pub struct RefArgs {
    /// Which reference peer.
    #[arg(value_parser = parse_role)]
    pub role: Role,
    /// Servers and receivers: the port to bind (0: any free port, printed at
    /// start). Clients and senders: the port to send to.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Servers: the address to bind (default 127.0.0.1; broadcast-receiver
    /// 0.0.0.0). Clients: the server's address (default 127.0.0.1).
    /// broadcast-sender: the broadcast address (default 127.255.255.255,
    /// loopback only).
    #[arg(long)]
    pub host: Option<IpAddr>,
    #[command(flatten)]
    pub contract: ContractArgs,
    /// broadcast-sender: the text of each datagram.
    #[arg(long, default_value = "hello from the sockspec broadcaster")]
    pub text: String,
    /// broadcast-sender: how many datagrams to send before exiting.
    #[arg(long, default_value_t = 1)]
    pub count: u32,
    /// broadcast-sender: the pause between datagrams.
    #[arg(long, default_value_t = 100)]
    pub interval_ms: u64,
    /// http-client: the path to request.
    #[arg(long, default_value = "/")]
    pub path: String,
    /// http-client: the method to use.
    #[arg(long, default_value = "GET")]
    pub method: String,
    /// udp-client: how long to wait for each reply before giving it up as lost.
    #[arg(long, default_value_t = 1000)]
    pub timeout_ms: u64,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Readable, coloured on a terminal (NO_COLOR respected).
    Human,
    /// One JSON document (see DESIGN.md).
    Json,
    /// JUnit XML, for CI.
    Junit,
}

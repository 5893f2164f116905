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
    /// Grade every submission in a folder against an assignment.
    Grade(GradeArgs),
    /// Join the batch reports (grade.json) of CI jobs that each graded a
    /// partition, into one set of outputs.
    Merge(MergeArgs),
    /// Make the autograder Gradescope runs (setup.sh, run_autograder, this
    /// sockspec and the assignment) from an assignment file.
    #[command(subcommand)]
    Gradescope(GradescopeCommand),
    /// Print the JSON Schema of scenario or assignment files, for editors
    /// (`# yaml-language-server: $schema=...` at the top of a file).
    Schema(SchemaArgs),
    /// Exit 0 if a private network can be entered here (used by `grade`).
    #[command(hide = true)]
    NetnsProbe,
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
    /// Scenario files or folders (default: the built-in suite, or the
    /// assignment's).
    pub paths: Vec<PathBuf>,
    /// Grade one submission against an assignment file: its programs,
    /// contracts, points and budgets (see assignments/ for examples).
    #[arg(long, conflicts_with_all = ["target", "reply", "framing", "quit", "pages", "port", "cwd"])]
    pub assignment: Option<PathBuf>,
    /// With --assignment: the submission's folder (default: the current one).
    #[arg(long, requires = "assignment")]
    pub submission: Option<PathBuf>,
    /// The kind of program under test (with --assignment: grade only that program).
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
    /// Build the program first, e.g. --build "gcc -Wall -o server server.c"
    /// (run once by `sh -c`, in --cwd or the submission's folder, before any
    /// scenario; if it fails the report is BUILD ERROR with the compiler's
    /// output). Repeatable; with --assignment, runs before its own builds.
    #[arg(long, value_name = "CMD")]
    pub build: Vec<String>,
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
    /// The language of the report: en or zh (default: from LC_ALL / LANG).
    #[arg(long, value_parser = parse_lang)]
    pub lang: Option<sockspec_report::Lang>,
    /// Show everything whole (every line of the program's output, long
    /// values uncut) and the timeline of each failure.
    #[arg(short, long)]
    pub verbose: bool,
    /// Show the timeline of each failure (the exchange that led to it).
    #[arg(long)]
    pub timeline: bool,
    /// Extra tries for a scenario that fails; one whose verdict changes is
    /// reported as FLAKY with its pass rate (default 0, or the assignment's).
    #[arg(long)]
    pub retries: Option<u32>,
    /// Start every scenario's program afresh. By default a server that
    /// passed a scenario and was left idle (every connection closed,
    /// nothing queued, waiting in accept() or recvfrom()) serves the next
    /// scenario of its role; a scenario that does not pass on it is played
    /// again on a fresh one, which gives the verdict.
    #[arg(long)]
    pub fresh: bool,
    /// Also write the report in FORMAT to FILE (repeatable), e.g.
    /// --report json=report.json --report gradescope=results.json.
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = parse_extra_report)]
    pub reports: Vec<(Format, PathBuf)>,
    /// Each scenario in a private network: a network namespace of its own
    /// with only a loopback, carrying the addresses the program hard-codes,
    /// so hard-coded ports never collide and nothing leaves the machine
    /// (needs root or unprivileged user namespaces). Default: auto with
    /// --assignment or for a program that hard-codes its port (no {port}
    /// in --target, or --port), none otherwise.
    #[arg(long, value_enum)]
    pub isolate: Option<Isolate>,
}

/// How far a run is kept apart from the machine.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isolate {
    /// Programs share the machine's loopback (fresh ports per scenario).
    None,
    /// A private network per scenario; an error where the machine cannot.
    Net,
    /// A private network per scenario where the machine allows it, else
    /// the shared loopback (said once).
    Auto,
}

impl Isolate {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Isolate::None => "none",
            Isolate::Net => "net",
            Isolate::Auto => "auto",
        }
    }
}

fn parse_lang(s: &str) -> Result<sockspec_report::Lang, String> {
    s.parse()
        .map_err(|_| format!("unknown language `{s}`; expected en or zh"))
}

fn parse_extra_report(s: &str) -> Result<(Format, PathBuf), String> {
    let (format, file) = s
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=FILE, e.g. json=report.json, not `{s}`"))?;
    let format = Format::from_str(format, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_owned()))
            .collect();
        format!(
            "unknown format `{format}`; expected one of: {}",
            names.join(", ")
        )
    })?;
    if file.is_empty() {
        return Err(format!("--report {s} names no file"));
    }
    Ok((format, PathBuf::from(file)))
}

/// `sockspec grade`: a folder of submissions, one sub-folder each.
#[derive(Args, Debug)]
#[command(after_help = "Outputs, in --out-dir (default: sockspec-grades):
  STUDENT/report.txt, STUDENT/report.json   each submission's own report
  STUDENT/results.json                       with --gradescope
  STUDENT/autolab.txt                        with --autolab
  STUDENT/report.html                        with --html
  index.html                                 with --html: the class dashboard
  scores.csv                                 one row per student (failed counts
                                             the counted scenarios; warned, the
                                             recommended ones that failed)
  grade.json                                 the batch, for `sockspec merge`

The table's \"look at\" column and the dashboard's \"To review\" name what a
person should check: FLAKY scenarios, a LIMIT HIT (too many processes or too
much memory, even in a scenario that passed), builds that failed, runs that
gave no report.

Example, a CI matrix of 4 jobs, then one merge:
  sockspec grade subs/ --assignment hw.yaml --partition 2/4 --out-dir part2
  sockspec merge part*/grade.json --out-dir all")]
pub struct GradeArgs {
    /// The folder that holds one sub-folder per submission.
    pub submissions: PathBuf,
    /// The assignment file.
    #[arg(long)]
    pub assignment: PathBuf,
    /// Where the outputs go.
    #[arg(long, default_value = "sockspec-grades")]
    pub out_dir: PathBuf,
    /// Submissions graded at once. Without it, the first submission is
    /// graded alone and its run measured: enough runs to keep every core
    /// busy (cores × 0.9 × its wall time / its CPU time, rounded up, at least the
    /// cores and 2), no more than memory, the submissions left and 32
    /// allow; one line says what was chosen and why, and grade.json keeps
    /// it. With --no-calibrate, the cores (2 to 8). Programs that pick
    /// their own port go one at a time without --isolate net.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Scenarios of one submission run at once (each program on its own
    /// port or in its own network). Scenarios mostly wait on the program,
    /// so this can exceed the cores; programs that hard-code a port on the
    /// shared loopback still go one at a time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub scenario_jobs: u32,
    /// Grade only share K of N (count:K/N, or hash:K/N to keep a
    /// submission in its share when others are added).
    #[arg(long, value_parser = parse_partition)]
    pub partition: Option<sockspec_grade::Partition>,
    /// Extra tries for a failing scenario (default: the assignment's, else 1).
    #[arg(long)]
    pub retries: Option<u32>,
    /// Start every scenario's program afresh (see `sockspec run --help`),
    /// instead of handing an idle server from one scenario to the next.
    #[arg(long)]
    pub fresh: bool,
    /// Isolation of each scenario of each submission; `net` gives each its
    /// own network namespace (default: auto, net where the machine allows it).
    #[arg(long, value_enum, default_value_t = Isolate::Auto)]
    pub isolate: Isolate,
    /// Multiply every deadline by this factor, on top of calibration (also SOCKSPEC_TIME_SCALE).
    #[arg(long)]
    pub time_scale: Option<f64>,
    /// Do not time the references before the batch to scale deadlines.
    #[arg(long)]
    pub no_calibrate: bool,
    /// Also write Gradescope's results.json for each submission.
    #[arg(long)]
    pub gradescope: bool,
    /// Also write Autolab's output (last line: the scores) for each submission.
    #[arg(long)]
    pub autolab: bool,
    /// Also write an HTML page for each submission (report.html), for students,
    /// and the class dashboard (index.html) linking to them, for the teacher.
    #[arg(long)]
    pub html: bool,
    /// The language of the reports: en or zh (default: from LC_ALL / LANG).
    #[arg(long, value_parser = parse_lang)]
    pub lang: Option<sockspec_report::Lang>,
    /// Grade only the submissions with these names (repeatable).
    #[arg(long = "only")]
    pub only: Vec<String>,
}

fn parse_partition(s: &str) -> Result<sockspec_grade::Partition, String> {
    s.parse()
        .map_err(|e: sockspec_grade::PartitionError| e.to_string())
}

/// `sockspec schema`: which file format, and where the schema goes.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  sockspec schema assignment --out docs/schema/assignment.schema.json
  sockspec schema scenario > scenario.schema.json")]
pub struct SchemaArgs {
    /// Which file format.
    #[arg(value_enum)]
    pub kind: SchemaKind,
    /// Write the schema to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The file formats `sockspec schema` describes.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    /// A scenario file.
    Scenario,
    /// An assignment file.
    Assignment,
}

impl SchemaKind {
    /// The model's name for it.
    pub fn file_kind(self) -> sockspec_model::schema::FileKind {
        match self {
            SchemaKind::Scenario => sockspec_model::schema::FileKind::Scenario,
            SchemaKind::Assignment => sockspec_model::schema::FileKind::Assignment,
        }
    }
}

/// `sockspec merge`: the grade.json of each CI job.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The batch reports to join.
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
    /// Where the merged grade.json and scores.csv go.
    #[arg(long, default_value = "sockspec-grades")]
    pub out_dir: PathBuf,
    /// Also write the class dashboard (index.html), linking to the
    /// students' report.html pages, which are copied from each job's folder
    /// (grade each share with --html, and keep its whole --out-dir).
    #[arg(long)]
    pub html: bool,
    /// Merge what is there even when some shares of the CI matrix are
    /// missing (their students get no grade; the missing shares are
    /// named). Without it, a missing share is an error.
    #[arg(long)]
    pub partial: bool,
    /// The language of the table and class view: en or zh (default: from
    /// LC_ALL / LANG).
    #[arg(long, value_parser = parse_lang)]
    pub lang: Option<sockspec_report::Lang>,
}

impl RunArgs {
    pub fn contract(&self) -> Contract {
        self.contract.to_contract()
    }
}

/// `sockspec gradescope`: a Gradescope autograder for an assignment.
#[derive(Subcommand, Debug)]
pub enum GradescopeCommand {
    /// Write the autograder zip to upload to Gradescope.
    #[command(after_help = GRADESCOPE_HELP)]
    Bundle(BundleArgs),
    /// Write the same files into a folder instead, to read or adjust
    /// before zipping them yourself.
    #[command(after_help = GRADESCOPE_HELP)]
    Init(InitArgs),
}

const GRADESCOPE_HELP: &str = "The bundle holds:
  setup.sh              Gradescope runs it once, building the image: apt-get installs
                        python3 and what the assignment's commands use (gcc and make,
                        a JDK, socat, curl), then install_sockspec.sh
  install_sockspec.sh   installs bin/sockspec to /usr/local/bin and runs it once
  run_autograder        for each submission: grades a copy of /autograder/submission
                        and writes /autograder/results/results.json, one with score 0
                        and the reason when sockspec cannot grade
  bin/sockspec          the binary (this one, or --binary); nothing is downloaded
  assignment/           the assignment file and the scenario files its suite names

Visibility comes from the assignment: `visibility:` (visible, after_due_date,
after_published, hidden) for the whole result, `test_visibility:` (a scenario id
or pattern: a visibility) for single tests. Choose Ubuntu 22.04 as the base
image: the binary must start with its glibc 2.35 (checked here; a static build,
for x86_64-unknown-linux-musl, needs no glibc at all).

From an assignment file to the upload:
  cargo build --release
  sockspec gradescope bundle --assignment hw.yaml --binary target/release/sockspec
  # Gradescope: the assignment → Configure Autograder → Zip file upload → autograder.zip";

/// What a bundle is made from.
#[derive(Args, Debug)]
pub struct SourceArgs {
    /// The assignment file the autograder grades with.
    #[arg(long)]
    pub assignment: PathBuf,
    /// The sockspec executable to ship (default: this one). A release build
    /// is a fraction of a debug build's size.
    #[arg(long, value_name = "PATH")]
    pub binary: Option<PathBuf>,
    /// The language students read the results in: en or zh.
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    pub lang: sockspec_report::Lang,
    /// The wall time one grading may take before run_autograder stops it and
    /// says so in results.json (keep it under the timeout set on Gradescope,
    /// 10 minutes unless changed); also SOCKSPEC_LIMIT_S at grading time.
    #[arg(long, default_value_t = 540, value_parser = clap::value_parser!(u64).range(10..=86400))]
    pub time_limit_s: u64,
}

/// `sockspec gradescope bundle`.
#[derive(Args, Debug)]
pub struct BundleArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Where the zip goes.
    #[arg(long, default_value = "autograder.zip")]
    pub out: PathBuf,
}

/// `sockspec gradescope init`.
#[derive(Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// The folder to write the files into (new or empty).
    #[arg(long, default_value = "autograder")]
    pub dir: PathBuf,
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
    /// One self-contained HTML page, for students: verdicts, hints, timelines.
    Html,
    /// Gradescope's autograder results.json.
    Gradescope,
    /// Autolab: the human report, then the scores as the last line.
    Autolab,
}

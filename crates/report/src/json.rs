//! The JSON report: one document, written when the run ends, in the shape
//! DESIGN.md promises other tools (extended, never broken). Results are sorted
//! by id so that parallel runs give identical reports apart from times.
//!
//! Bytes (`sent`, `received`) appear twice: as a string that reads well (the
//! text itself when it is UTF-8, else `hex ...`, the rendering the human
//! report uses) and as `sent_hex` / `received_hex`, the exact bytes in
//! lowercase hex, because a string that says `hex ff` could also be a
//! program that replied with those six characters. Both are `null` when the
//! failure has no such value. Nothing is shortened here, unlike the human
//! report: tools get the whole evidence.
//!
//! Retries add `attempts`, `passes` and `pass_rate` (passes / attempts,
//! `null` for a skipped scenario, which was never played), and the status
//! `"flaky"`: a tool that only knows pass and fail sees a status it does not
//! know rather than a pass, which is what a flaky verdict is owed.
//!
//! Every result also has `concept_zh` and `hint: {en, zh}`, and every
//! failure `diagnoses` (each a `kind` with its facts) and `timeline` (each
//! entry's `at_ms`, `actor` and `what`). Facts and sentences both: the facts
//! so that a tool can count, say, the class's servers blocked in accept(),
//! and `text: {en, zh}` so that a course's own page shows the same sentence
//! the terminal does, in either language, without rewording it. A tool that
//! knows neither field ignores them, as the contract promises. A failure's
//! `target` says the program's `language` (python, python2, c, java,
//! unknown), the words its diagnoses are said in.

use std::io::Write;

use serde::Serialize;
use sockspec_model::{Bytes, Localized, Role};
use sockspec_results::{
    Actor, Event, Failure, Happening, Language, ScenarioResult, Status, Summary, TargetReport,
    TimelineEntry,
};

use crate::collect::Collected;
use crate::{Lang, Reporter, timeline};

mod diagnosis;
use diagnosis::{DiagnosisJson, LimitHitJson, diagnosis};

/// Writes the JSON report to `out` at the end of the run.
pub struct Json<W: Write> {
    out: W,
    run: Collected,
}

impl<W: Write> Json<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W) -> Self {
        Json {
            out,
            run: Collected::default(),
        }
    }
}

#[derive(Serialize)]
struct Document<'a> {
    /// The submission's builds, before any scenario (empty: none).
    builds: Vec<BuildJson<'a>>,
    results: Vec<ResultJson<'a>>,
    summary: SummaryJson,
    target: &'a str,
    contract: &'a str,
    duration_ms: u64,
    harness: HarnessJson,
}

/// One build: `status` is `ok` or `error`; how it ended is `exit_code` or
/// `signal`, both `null` when it ran past its deadline (`timed_out`) or
/// could not be started (`not_started` says why).
#[derive(Serialize)]
struct BuildJson<'a> {
    command: &'a str,
    dir: &'a str,
    roles: Vec<&'static str>,
    status: &'static str,
    exit_code: Option<i32>,
    signal: Option<i32>,
    timed_out: bool,
    not_started: Option<&'a str>,
    output: &'a str,
    duration_ms: u64,
    deadline_ms: u64,
    text: Text,
}

impl<'a> BuildJson<'a> {
    fn new(b: &'a sockspec_results::BuildReport) -> Self {
        use sockspec_results::Ended;
        BuildJson {
            command: &b.command,
            dir: &b.dir,
            roles: b.roles.iter().map(|r| r.as_str()).collect(),
            status: if b.ok() { "ok" } else { "error" },
            exit_code: match b.ended {
                Some(Ended::Code(c)) => Some(c),
                _ => None,
            },
            signal: match b.ended {
                Some(Ended::Signal(s)) => Some(s),
                _ => None,
            },
            timed_out: b.ended.is_none() && b.not_started.is_none(),
            not_started: b.not_started.as_deref(),
            output: &b.output,
            duration_ms: millis(b.duration),
            deadline_ms: millis(b.deadline),
            text: Text {
                en: crate::build::headline(b, Lang::En),
                zh: crate::build::headline(b, Lang::Zh),
            },
        }
    }
}

/// The harness itself: what a grader checks to trust a batch (its memory
/// stays small whatever a program under test does).
#[derive(Serialize)]
struct HarnessJson {
    peak_rss_kb: Option<u64>,
}

#[derive(Serialize)]
struct ResultJson<'a> {
    id: &'a str,
    role: &'static str,
    level: &'static str,
    status: &'static str,
    duration_ms: u64,
    /// Why, in English (the field tools have always read).
    message: String,
    /// Why, in both languages.
    reason: Text,
    counted: bool,
    points: u32,
    attempts: u32,
    passes: u32,
    pass_rate: Option<f64>,
    found: Option<String>,
    found_zh: Option<String>,
    port_wait: Option<PortWaitJson>,
    /// The limits the program ran into, pass or not.
    limits_hit: Vec<LimitHitJson>,
    starts: u32,
    /// Given on a program an earlier scenario started and left idle.
    shared: bool,
    /// Played again on a fresh program after a try on a handed-over one
    /// did not pass (or, a client's property: a case did not pass on the
    /// client that went on from the case before).
    replayed: bool,
    /// Property cases typed into the client that passed the case before
    /// (as it waited for its next line), instead of a fresh one.
    cases_went_on: u32,
    /// Not played, with the verdict of this scenario, whose evidence it is
    /// (a program that could not be started there).
    as_in: Option<&'a str>,
    title: &'a str,
    title_zh: &'a str,
    file: &'a str,
    concept: &'a str,
    concept_zh: &'a str,
    hint: Text,
    failure: Option<FailureJson<'a>>,
}

/// The wait for a hard-coded port to be free before the scenario began.
#[derive(Serialize)]
struct PortWaitJson {
    port: u16,
    waited_ms: u64,
    freed: bool,
    text: Text,
}

/// A text in both languages.
#[derive(Serialize)]
struct Text {
    en: String,
    zh: String,
}

impl From<Localized> for Text {
    fn from(l: Localized) -> Self {
        Text { en: l.en, zh: l.zh }
    }
}

#[derive(Serialize)]
struct FailureJson<'a> {
    step: usize,
    step_text: String,
    step_text_zh: String,
    line: u64,
    sent: Option<String>,
    sent_hex: Option<String>,
    expected: Option<String>,
    expected_zh: Option<String>,
    received: Option<String>,
    received_hex: Option<String>,
    target: Option<TargetJson<'a>>,
    diagnoses: Vec<DiagnosisJson<'a>>,
    timeline: Vec<EntryJson<'a>>,
}

#[derive(Serialize)]
struct EntryJson<'a> {
    at_ms: u64,
    actor: ActorJson<'a>,
    what: HappeningJson<'a>,
    text: Text,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum ActorJson<'a> {
    Harness { name: &'a str },
    Target,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum HappeningJson<'a> {
    Started {
        command: &'a str,
    },
    Ready {
        addr: String,
    },
    Exited {
        state: String,
    },
    Connected,
    Accepted,
    Sent {
        bytes: String,
        bytes_hex: String,
        len: usize,
    },
    Received {
        bytes: String,
        bytes_hex: String,
        len: usize,
    },
    ShutdownWrite,
    Closed,
    Reset,
    SawEof,
    SawReset,
    Typed {
        text: &'a str,
    },
    StdinClosed,
    Killed,
    Waited {
        what: String,
        waited_ms: u64,
    },
}

#[derive(Serialize)]
struct TargetJson<'a> {
    command: &'a str,
    state: String,
    stdout: &'a str,
    stderr: &'a str,
    /// What it is written in: python, python2, c, java, unknown.
    language: &'static str,
}

#[derive(Serialize)]
struct SummaryJson {
    #[serde(flatten)]
    counts: Summary,
    exit_code: i32,
}

impl<'a> ResultJson<'a> {
    fn new(r: &'a ScenarioResult) -> Self {
        ResultJson {
            id: &r.id,
            role: r.role.as_str(),
            level: r.level.as_str(),
            status: r.status.as_str(),
            duration_ms: millis(r.duration),
            message: crate::mismatch::reason(r, Lang::En),
            reason: Text {
                en: crate::mismatch::reason(r, Lang::En),
                zh: crate::mismatch::reason(r, Lang::Zh),
            },
            counted: r.counted,
            points: r.points,
            attempts: r.attempts,
            passes: r.passes,
            pass_rate: (r.status != Status::Skip && r.attempts > 0)
                .then(|| f64::from(r.passes) / f64::from(r.attempts)),
            found: r
                .found
                .as_ref()
                .map(|f| crate::evidence::found(f, Lang::En)),
            found_zh: r
                .found
                .as_ref()
                .map(|f| crate::evidence::found(f, Lang::Zh)),
            port_wait: r.port_wait.map(|w| PortWaitJson {
                port: w.port,
                waited_ms: millis(w.waited),
                freed: w.freed,
                text: Text {
                    en: crate::evidence::port_wait(&w, Lang::En),
                    zh: crate::evidence::port_wait(&w, Lang::Zh),
                },
            }),
            limits_hit: r
                .limits_hit
                .iter()
                .map(|&h| LimitHitJson::new(h, r.role))
                .collect(),
            starts: r.starts,
            shared: r.shared,
            replayed: r.replayed,
            cases_went_on: r.cases_went_on,
            as_in: match &r.why {
                Some(sockspec_results::Why::Mismatch(sockspec_results::Mismatch::AsIn {
                    id,
                    ..
                })) => Some(id),
                _ => None,
            },
            title: &r.title,
            title_zh: &r.title_zh,
            file: &r.file,
            concept: &r.concept,
            concept_zh: &r.concept_zh,
            hint: Text {
                en: r.hint.en.clone(),
                zh: r.hint.zh.clone(),
            },
            failure: r.failure.as_ref().map(|f| FailureJson::new(f, r.role)),
        }
    }
}

impl<'a> FailureJson<'a> {
    fn new(f: &'a Failure, role: Role) -> Self {
        let language = f.target.as_ref().map_or(Language::Unknown, |t| t.language);
        FailureJson {
            step: f.step,
            step_text: crate::step::failed_at(&f.at, Lang::En),
            step_text_zh: crate::step::failed_at(&f.at, Lang::Zh),
            line: f.line,
            sent: f.sent.as_ref().map(readable),
            sent_hex: f.sent.as_ref().map(hex),
            expected: f
                .expected
                .as_ref()
                .map(|e| crate::mismatch::expectation(e, Lang::En)),
            expected_zh: f
                .expected
                .as_ref()
                .map(|e| crate::mismatch::expectation(e, Lang::Zh)),
            received: f.received.as_ref().map(readable),
            received_hex: f.received.as_ref().map(hex),
            target: f.target.as_ref().map(|t: &TargetReport| TargetJson {
                command: &t.command,
                state: crate::mismatch::state(t.ended, Lang::En),
                stdout: &t.stdout,
                stderr: &t.stderr,
                language: t.language.as_str(),
            }),
            diagnoses: f
                .diagnoses
                .iter()
                .map(|d| diagnosis(d, role, language))
                .collect(),
            timeline: f.timeline.iter().map(|e| entry(e, role)).collect(),
        }
    }
}

fn entry(e: &TimelineEntry, role: Role) -> EntryJson<'_> {
    let what = match &e.what {
        Happening::Started { command } => HappeningJson::Started { command },
        Happening::Ready { addr } => HappeningJson::Ready {
            addr: addr.to_string(),
        },
        Happening::Exited { ended } => HappeningJson::Exited {
            state: crate::mismatch::ended(*ended, Lang::En),
        },
        Happening::Connected => HappeningJson::Connected,
        Happening::Accepted => HappeningJson::Accepted,
        Happening::Sent { bytes, len } => HappeningJson::Sent {
            bytes: readable(bytes),
            bytes_hex: hex(bytes),
            len: *len,
        },
        Happening::Received { bytes, len } => HappeningJson::Received {
            bytes: readable(bytes),
            bytes_hex: hex(bytes),
            len: *len,
        },
        Happening::ShutdownWrite => HappeningJson::ShutdownWrite,
        Happening::Closed => HappeningJson::Closed,
        Happening::Reset => HappeningJson::Reset,
        Happening::SawEof => HappeningJson::SawEof,
        Happening::SawReset => HappeningJson::SawReset,
        Happening::Typed { text } => HappeningJson::Typed { text },
        Happening::StdinClosed => HappeningJson::StdinClosed,
        Happening::Killed => HappeningJson::Killed,
        Happening::Waited { step, waited } => HappeningJson::Waited {
            what: crate::step::step(step, Lang::En),
            waited_ms: millis(*waited),
        },
    };
    EntryJson {
        at_ms: millis(e.at),
        actor: match &e.actor {
            Actor::Harness(name) => ActorJson::Harness { name },
            Actor::Target => ActorJson::Target,
        },
        what,
        text: Text {
            en: timeline::text(e, role, Lang::En),
            zh: timeline::text(e, role, Lang::Zh),
        },
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The text itself if UTF-8, else `hex ...`.
fn readable(b: &Bytes) -> String {
    match std::str::from_utf8(&b.0) {
        Ok(s) => s.to_owned(),
        Err(_) => b.to_string(),
    }
}

/// The exact bytes, lowercase hex, no prefix.
fn hex(b: &Bytes) -> String {
    b.0.iter().map(|b| format!("{b:02x}")).collect()
}

impl<W: Write> Reporter for Json<W> {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        if let Some(end) = self.run.take(event) {
            self.run.results.sort_by(|a, b| a.id.cmp(&b.id));
            let doc = Document {
                builds: self.run.builds.iter().map(BuildJson::new).collect(),
                results: self.run.results.iter().map(ResultJson::new).collect(),
                summary: SummaryJson {
                    counts: end.summary,
                    exit_code: end.summary.exit_code(),
                },
                target: &self.run.target,
                contract: &self.run.contract,
                duration_ms: millis(end.wall),
                harness: HarnessJson {
                    peak_rss_kb: end.peak_rss_kb,
                },
            };
            serde_json::to_writer_pretty(&mut self.out, &doc)?;
            writeln!(self.out)?;
            self.out.flush()?;
        }
        Ok(())
    }
}

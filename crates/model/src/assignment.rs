//! An assignment file: one homework, as a grader states it once for all
//! its submissions. It names the programs a submission holds (one per role),
//! the command that starts each from inside the submission's folder, the
//! contract each is judged by, which scenarios count, their points, and the
//! time a scenario may take.
//!
//! It is a second user-written format beside scenario files, so it gets the
//! same treatment: unknown keys are errors, every error names
//! file:line:column with the line and a caret, and a scenario pattern that
//! matches nothing in the suite is an error rather than a silently smaller
//! grade.

use std::collections::BTreeMap;
use std::time::Duration;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;

use crate::contract::{Contract, Framing, Level, Page, ReplyRule, Role};
use crate::load::{LoadError, LoadErrorKind, Source, yaml_error};
use crate::scenario::Scenario;
use crate::spanned::Spanned;

/// A homework: its programs and how they are graded.
#[derive(Clone, Debug)]
pub struct Assignment {
    /// Its title, for reports.
    pub name: String,
    /// Scenario files or folders, relative to the assignment file (empty:
    /// the built-in suite).
    pub suite: Vec<String>,
    /// The programs of a submission, in role order.
    pub programs: Vec<AssignedProgram>,
    /// Recommended scenarios count too.
    pub strict: bool,
    /// Extra tries of a failing scenario (flaky when the verdict changes).
    pub retries: Option<u32>,
    /// How Gradescope shows the results to students.
    pub visibility: Visibility,
    /// Resource limits for every program (unset ones: the harness's defaults).
    pub limits: LimitsSpec,
    /// The command that builds the whole submission (`make`), run once in
    /// its folder before any scenario.
    pub build: Option<String>,
    /// The wall time a build may take (`build_s`; unset: the harness's
    /// default).
    pub build_deadline: Option<Duration>,
    points: Points,
    /// Scenarios whose level the grader changes, by pattern, in the order
    /// written (the last pattern that names a scenario wins).
    levels: Vec<(Pattern, Level)>,
    /// Scenarios Gradescope shows otherwise than `visibility`, by
    /// pattern, in the order written (the last that names one wins).
    test_visibility: Vec<(Pattern, Visibility)>,
    source: Source,
}

/// One program of a submission.
#[derive(Clone, Debug)]
pub struct AssignedProgram {
    /// The role it plays.
    pub role: Role,
    /// The command, run in the submission's folder (`{port}`, `{host}`,
    /// `{broadcast}` as on the command line).
    pub command: String,
    /// The contract it is judged by.
    pub contract: Contract,
    /// A port it hard-codes, if it does.
    pub port: Option<u16>,
    /// The address a client (or sender) hard-codes as its server's, if the
    /// grader states it (else it is read from the program's source).
    pub server: Option<std::net::SocketAddrV4>,
    /// A sub-folder of the submission to run it in.
    pub cwd: Option<String>,
    /// The wall time one try of one of its scenarios may take.
    pub budget: Option<Duration>,
    /// The command that builds this program (`gcc -Wall -o server
    /// server.c`), run once in its folder before any scenario.
    pub build: Option<String>,
    only: Vec<Pattern>,
    skip: Vec<Pattern>,
}

impl AssignedProgram {
    /// How the program is addressed (see [`crate::Addressing`]).
    pub fn addressing(&self) -> crate::Addressing {
        crate::Addressing::of(
            self.role,
            &self.command,
            self.port,
            self.server.map(std::net::SocketAddr::V4),
        )
    }
}

/// One build of a submission: a command, the folder it runs in and the
/// programs it builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildStep {
    /// The command, run by `sh -c` (globs such as `javac *.java` work).
    pub command: String,
    /// A sub-folder of the submission to run it in (`None`: the submission).
    pub cwd: Option<String>,
    /// The roles whose programs it builds (empty: every one).
    pub roles: Vec<Role>,
}

/// The resource limits a grader states for every program of a submission
/// (each one unset keeps the harness's default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsSpec {
    /// CPU seconds a program may use (a busy loop ends there).
    pub cpu_s: Option<u64>,
    /// Address space, in MiB (an unbounded allocation ends there).
    pub memory_mb: Option<u64>,
    /// Processes a program may have (a fork per client needs a few).
    pub processes: Option<u64>,
    /// The largest file a program may write, in MiB.
    pub file_size_mb: Option<u64>,
    /// File descriptors a program may hold open.
    pub open_files: Option<u64>,
}

/// Gradescope's visibility of a result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Shown at once.
    #[default]
    Visible,
    /// Shown after the due date.
    AfterDueDate,
    /// Shown once the grades are published.
    AfterPublished,
    /// Never shown to the student.
    Hidden,
}

impl Visibility {
    /// The name Gradescope uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Visible => "visible",
            Visibility::AfterDueDate => "after_due_date",
            Visibility::AfterPublished => "after_published",
            Visibility::Hidden => "hidden",
        }
    }
}

/// A scenario id, or a pattern with `*` (any characters), and where it was
/// written.
#[derive(Clone, Debug)]
struct Pattern {
    text: String,
    line: u64,
    column: u64,
}

impl Pattern {
    fn matches(&self, id: &str) -> bool {
        glob_match(&self.text, id)
    }
}

/// `*` matches any run of characters; everything else matches itself.
fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    if !text.ends_with(last) {
        return false;
    }
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

#[derive(Clone, Debug, Default)]
struct Points {
    required: Option<u32>,
    recommended: Option<u32>,
    scenarios: Vec<(Pattern, u32)>,
}

/// An assignment file: one homework, its programs and how they are graded.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "sockspec assignment")]
pub(crate) struct RawAssignment {
    /// The homework's title, for reports.
    assignment: String,
    /// Scenario files or folders, relative to the assignment file (none:
    /// the built-in suite).
    #[serde(default)]
    suite: Vec<String>,
    /// The programs of a submission, one per role, each with the command
    /// that starts it from inside the submission's folder.
    #[schemars(schema_with = "programs_schema")]
    programs: Spanned<BTreeMap<Role, Spanned<RawProgram>>>,
    /// Recommended scenarios count too.
    #[serde(default)]
    strict: bool,
    /// Extra tries of a failing scenario (FLAKY when the verdict changes).
    retries: Option<u32>,
    /// The wall time, in seconds (more than 0, at most 3600), one try of one
    /// scenario may take (every program's, unless it states its own).
    #[schemars(range(max = 3600.0), extend("exclusiveMinimum" = 0))]
    budget_s: Option<Spanned<f64>>,
    /// Points per level, and per scenario by id or pattern.
    #[serde(default)]
    points: RawPoints,
    /// Scenarios whose level the grader changes, by id or pattern with `*`
    /// (the last pattern that names a scenario wins).
    #[serde(default)]
    levels: BTreeMap<InOrder, Level>,
    /// How Gradescope shows the results to students.
    #[serde(default)]
    visibility: Visibility,
    /// Gradescope visibility per scenario, by id or pattern with `*` (the
    /// last pattern that names a scenario wins), over `visibility`.
    #[serde(default)]
    test_visibility: BTreeMap<InOrder, Visibility>,
    /// Resource limits for every program (unset ones keep the harness's
    /// defaults).
    limits: Option<Spanned<LimitsSpec>>,
    /// The command that builds the whole submission (`make`), run by
    /// `sh -c` once in its folder before any scenario.
    #[schemars(length(min = 1))]
    build: Option<Spanned<String>>,
    /// The wall time, in seconds (more than 0, at most 3600), a build may take.
    #[schemars(range(max = 3600.0), extend("exclusiveMinimum" = 0))]
    build_s: Option<Spanned<f64>>,
}

/// `programs:` maps a role to a program. Its schema names every role as a
/// key, so that an editor completes them and flags a misspelt one.
fn programs_schema(generator: &mut SchemaGenerator) -> Schema {
    let program = generator.subschema_for::<RawProgram>();
    let roles: serde_json::Map<String, serde_json::Value> = Role::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), program.clone().into()))
        .collect();
    json_schema!({
        "type": "object",
        "properties": roles,
        "additionalProperties": false,
        "minProperties": 1,
    })
}

/// Points per level, and per scenario.
#[derive(Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawPoints {
    /// Points of each required scenario.
    required: Option<u32>,
    /// Points of each recommended scenario.
    recommended: Option<u32>,
    /// Points of the scenarios an id or a pattern with `*` names (the last
    /// pattern that names a scenario wins).
    #[serde(default)]
    scenarios: BTreeMap<InOrder, u32>,
}

/// A map key that remembers where it was written and sorts in the order
/// of the file, so a `BTreeMap` of them iterates as the grader wrote it.
#[derive(Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(transparent)]
struct InOrder(Spanned<String>);

impl Ord for InOrder {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let at = |k: &InOrder| {
            (
                k.0.referenced.line(),
                k.0.referenced.column(),
                k.0.value.clone(),
            )
        };
        at(self).cmp(&at(other))
    }
}

impl PartialOrd for InOrder {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// One program of a submission and the contract it is judged by.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawProgram {
    /// The command, run in the submission's folder, with `{port}`, `{host}`
    /// and `{broadcast}` placeholders (split like a shell, never run by one).
    #[schemars(length(min = 1))]
    command: Spanned<String>,
    /// How the program answers a message (`any` unless stated).
    #[schemars(with = "Option<ReplyRule>")]
    reply: Option<Spanned<String>>,
    /// Where one message ends and the next begins (`none` unless stated).
    framing: Option<Framing>,
    /// The line that makes a client program quit.
    quit: Option<String>,
    /// http-server: what a path must answer.
    #[serde(default)]
    #[schemars(with = "Vec<Page>")]
    pages: Vec<Spanned<String>>,
    /// A port the program hard-codes, if it does.
    #[schemars(range(min = 1))]
    port: Option<Spanned<u16>>,
    /// The IPv4 address and port a client (or sender) hard-codes as its
    /// server's, e.g. 10.16.129.97:7777 (else it is read from the source).
    #[schemars(regex(pattern = r"^[0-9]{1,3}(\.[0-9]{1,3}){3}:[0-9]{1,5}$"))]
    server: Option<Spanned<String>>,
    /// A sub-folder of the submission to run it in (relative, without `..`).
    cwd: Option<Spanned<String>>,
    /// The wall time, in seconds (more than 0, at most 3600), one try of one
    /// of its scenarios may take.
    #[schemars(range(max = 3600.0), extend("exclusiveMinimum" = 0))]
    budget_s: Option<Spanned<f64>>,
    /// The command that builds this program (`gcc -Wall -o server
    /// server.c`), run by `sh -c` once in its folder before any scenario.
    #[schemars(length(min = 1))]
    build: Option<Spanned<String>>,
    /// Grade only the scenarios these ids or patterns with `*` name.
    #[serde(default)]
    only: Vec<Spanned<String>>,
    /// Do not grade the scenarios these ids or patterns with `*` name.
    #[serde(default)]
    skip: Vec<Spanned<String>>,
}

fn pattern(s: Spanned<String>) -> Pattern {
    Pattern {
        text: s.value,
        line: s.referenced.line(),
        column: s.referenced.column(),
    }
}

/// Parses and checks an assignment file (everything that can be checked
/// without its scenarios; [`Assignment::select`] checks the rest).
pub fn load_assignment(src: &Source) -> Result<Assignment, LoadError> {
    let options = serde_saphyr::options! { strict_booleans: true };
    let raw: RawAssignment =
        serde_saphyr::from_str_with_options(&src.text, options).map_err(|e| yaml_error(src, &e))?;
    let invalid = |line: u64, column: u64, message: String, help: Option<&str>| {
        LoadError::at(
            src,
            line,
            column,
            LoadErrorKind::Invalid {
                message,
                help: help.map(str::to_owned),
            },
        )
    };
    let budget = |b: Option<Spanned<f64>>| -> Result<Option<Duration>, LoadError> {
        match b {
            None => Ok(None),
            Some(b) if b.value.is_finite() && b.value > 0.0 && b.value <= 3600.0 => {
                Ok(Some(Duration::from_secs_f64(b.value)))
            }
            Some(b) => Err(invalid(
                b.referenced.line(),
                b.referenced.column(),
                format!("`budget_s: {}` is not a time a scenario can take", b.value),
                Some("seconds, more than 0 and at most 3600, e.g. budget_s: 30"),
            )),
        }
    };
    let default_budget = budget(raw.budget_s)?;
    let not_empty =
        |b: Option<Spanned<String>>, whose: &str| -> Result<Option<String>, LoadError> {
            match b {
                Some(b) if b.value.trim().is_empty() => Err(invalid(
                    b.referenced.line(),
                    b.referenced.column(),
                    format!("the {whose} build command is empty"),
                    Some("e.g. build: gcc -Wall -o server server.c; or leave `build` out"),
                )),
                b => Ok(b.map(|b| b.value)),
            }
        };
    let build = not_empty(raw.build, "submission's")?;
    let build_deadline = match raw.build_s {
        None => None,
        Some(b) if b.value.is_finite() && b.value > 0.0 && b.value <= 3600.0 => {
            Some(Duration::from_secs_f64(b.value))
        }
        Some(b) => {
            return Err(invalid(
                b.referenced.line(),
                b.referenced.column(),
                format!("`build_s: {}` is not a time a build can take", b.value),
                Some("seconds, more than 0 and at most 3600, e.g. build_s: 120"),
            ));
        }
    };
    let limits = raw.limits.as_ref().map(|l| l.value).unwrap_or_default();
    if let Some(l) = &raw.limits
        && [
            limits.cpu_s,
            limits.memory_mb,
            limits.processes,
            limits.open_files,
        ]
        .into_iter()
        .any(|l| l == Some(0))
    {
        return Err(invalid(
            l.referenced.line(),
            l.referenced.column(),
            "a limit of 0 would stop every program before it starts".into(),
            Some("leave a limit out to keep the default"),
        ));
    }
    if raw.programs.value.is_empty() {
        return Err(invalid(
            raw.programs.referenced.line(),
            raw.programs.referenced.column(),
            "an assignment needs at least one program".into(),
            Some("e.g. programs: { tcp-server: { command: \"python3 server.py {port}\" } }"),
        ));
    }
    let mut programs = Vec::new();
    for (role, p) in raw.programs.value {
        let p = p.value;
        let command = p.command;
        if command.value.trim().is_empty() {
            return Err(invalid(
                command.referenced.line(),
                command.referenced.column(),
                format!("the {role} command is empty"),
                None,
            ));
        }
        let reply = match p.reply {
            None => ReplyRule::Any,
            Some(r) => r.value.parse().map_err(|e: crate::ContractError| {
                invalid(
                    r.referenced.line(),
                    r.referenced.column(),
                    e.to_string(),
                    None,
                )
            })?,
        };
        let mut pages = Vec::new();
        for page in p.pages {
            pages.push(page.value.parse::<Page>().map_err(|e| {
                invalid(
                    page.referenced.line(),
                    page.referenced.column(),
                    e.to_string(),
                    None,
                )
            })?);
        }
        if !pages.is_empty() && role != Role::HttpServer {
            return Err(invalid(
                command.referenced.line(),
                command.referenced.column(),
                format!("`pages` are rules for an http-server, not a {role}"),
                None,
            ));
        }
        if let Some(port) = &p.port
            && port.value == 0
        {
            return Err(invalid(
                port.referenced.line(),
                port.referenced.column(),
                "`port: 0` is not a port a program can hard-code".into(),
                Some("leave `port` out when the command takes {port}"),
            ));
        }
        let server = match &p.server {
            None => None,
            Some(s) => Some(s.value.parse::<std::net::SocketAddrV4>().map_err(|_| {
                invalid(
                    s.referenced.line(),
                    s.referenced.column(),
                    format!("`server: {}` is not an IPv4 address and port", s.value),
                    Some("e.g. server: 10.16.129.97:7777"),
                )
            })?),
        };
        if server.is_some()
            && matches!(
                role,
                Role::TcpServer | Role::UdpServer | Role::HttpServer | Role::BroadcastReceiver
            )
        {
            return Err(invalid(
                command.referenced.line(),
                command.referenced.column(),
                format!(
                    "`server` is the address a client uses; a {role} is found where it listens"
                ),
                Some("leave `server` out; give `port` if it hard-codes one"),
            ));
        }
        if let Some(cwd) = &p.cwd {
            let escapes = std::path::Path::new(&cwd.value)
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)));
            if escapes {
                return Err(invalid(
                    cwd.referenced.line(),
                    cwd.referenced.column(),
                    format!(
                        "`cwd: {}` must be a folder inside the submission",
                        cwd.value
                    ),
                    Some("a relative path without `..`, e.g. cwd: web"),
                ));
            }
        }
        programs.push(AssignedProgram {
            role,
            command: command.value,
            contract: Contract {
                reply,
                framing: p.framing.unwrap_or(Framing::None),
                quit: p.quit.unwrap_or_default(),
                pages,
            },
            port: p.port.map(|p| p.value),
            server,
            cwd: p.cwd.map(|c| c.value),
            budget: budget(p.budget_s)?.or(default_budget),
            build: not_empty(p.build, &format!("{role}'s"))?,
            only: p.only.into_iter().map(pattern).collect(),
            skip: p.skip.into_iter().map(pattern).collect(),
        });
    }
    Ok(Assignment {
        name: raw.assignment,
        suite: raw.suite,
        programs,
        strict: raw.strict,
        retries: raw.retries,
        visibility: raw.visibility,
        limits,
        build,
        build_deadline,
        points: Points {
            required: raw.points.required,
            recommended: raw.points.recommended,
            scenarios: raw
                .points
                .scenarios
                .into_iter()
                .map(|(k, v)| (pattern(k.0), v))
                .collect(),
        },
        levels: raw
            .levels
            .into_iter()
            .map(|(k, v)| (pattern(k.0), v))
            .collect(),
        test_visibility: raw
            .test_visibility
            .into_iter()
            .map(|(k, v)| (pattern(k.0), v))
            .collect(),
        source: src.clone(),
    })
}

impl Assignment {
    /// The file it was loaded from, as named in messages.
    pub fn file(&self) -> &str {
        &self.source.name
    }

    /// The builds of a submission, in the order they run: the
    /// submission's own first (`make` builds what the programs' builds may
    /// need), then each program's, one run for programs that share a
    /// command and folder. `role` keeps only what builds that program.
    pub fn builds(&self, role: Option<Role>) -> Vec<BuildStep> {
        let mut steps: Vec<BuildStep> = Vec::new();
        if let Some(command) = &self.build {
            steps.push(BuildStep {
                command: command.clone(),
                cwd: None,
                roles: Vec::new(),
            });
        }
        for p in &self.programs {
            let Some(command) = &p.build else { continue };
            if role.is_some_and(|r| r != p.role) {
                continue;
            }
            match steps
                .iter_mut()
                .find(|s| !s.roles.is_empty() && &s.command == command && s.cwd == p.cwd)
            {
                Some(same) => same.roles.push(p.role),
                None => steps.push(BuildStep {
                    command: command.clone(),
                    cwd: p.cwd.clone(),
                    roles: vec![p.role],
                }),
            }
        }
        steps
    }

    /// When Gradescope shows a scenario's result to students: the last
    /// pattern of `test_visibility` that names it, else `visibility`.
    pub fn visibility_of(&self, id: &str) -> Visibility {
        self.test_visibility
            .iter()
            .rev()
            .find(|(p, _)| p.matches(id))
            .map_or(self.visibility, |(_, v)| *v)
    }

    /// The program for a role, if the assignment has one.
    pub fn program(&self, role: Role) -> Option<&AssignedProgram> {
        self.programs.iter().find(|p| p.role == role)
    }

    /// The scenarios of `suite` this assignment grades, each with its
    /// level and points: those of a role it has a program for, kept by the
    /// program's `only` and `skip` patterns, at the level `levels` gives
    /// them. A pattern that matches no scenario it could apply to is an
    /// error at the pattern: a typo must not quietly shrink a grade.
    pub fn select(&self, suite: Vec<Scenario>) -> Result<Vec<Scenario>, LoadError> {
        let unmatched = |p: &Pattern, what: &str, among: &[&Scenario]| {
            let ids: Vec<&str> = among.iter().map(|s| s.id.as_str()).collect();
            LoadError::at(
                &self.source,
                p.line,
                p.column,
                LoadErrorKind::Invalid {
                    message: format!("`{}` in {what} matches no scenario", p.text),
                    help: crate::load::did_you_mean(&p.text, ids.iter().copied())
                        .or_else(|| Some(format!("scenarios: {}", ids.join(", ")))),
                },
            )
        };
        let mut kept = Vec::new();
        for program in &self.programs {
            let own: Vec<&Scenario> = suite.iter().filter(|s| s.role == program.role).collect();
            for (patterns, what) in [(&program.only, "only"), (&program.skip, "skip")] {
                if let Some(p) = patterns
                    .iter()
                    .find(|p| !own.iter().any(|s| p.matches(&s.id)))
                {
                    return Err(unmatched(p, what, &own));
                }
            }
        }
        let graded: Vec<&Scenario> = suite
            .iter()
            .filter(|s| self.program(s.role).is_some())
            .collect();
        if let Some((p, _)) = self
            .points
            .scenarios
            .iter()
            .find(|(p, _)| !graded.iter().any(|s| p.matches(&s.id)))
        {
            return Err(unmatched(p, "points", &graded));
        }
        if let Some((p, _)) = self
            .levels
            .iter()
            .find(|(p, _)| !graded.iter().any(|s| p.matches(&s.id)))
        {
            return Err(unmatched(p, "levels", &graded));
        }
        if let Some((p, _)) = self
            .test_visibility
            .iter()
            .find(|(p, _)| !graded.iter().any(|s| p.matches(&s.id)))
        {
            return Err(unmatched(p, "test_visibility", &graded));
        }
        for mut s in suite {
            let Some(program) = self.program(s.role) else {
                continue;
            };
            let wanted = program.only.is_empty() || program.only.iter().any(|p| p.matches(&s.id));
            if !wanted || program.skip.iter().any(|p| p.matches(&s.id)) {
                continue;
            }
            if let Some((_, level)) = self.levels.iter().rev().find(|(p, _)| p.matches(&s.id)) {
                s.level = *level;
            }
            s.points = self.points_of(&s);
            kept.push(s);
        }
        Ok(kept)
    }

    /// A scenario's points: a pattern of `points.scenarios` that names it
    /// (the last one written wins), else its level's, else its own.
    fn points_of(&self, s: &Scenario) -> u32 {
        let by_pattern = self
            .points
            .scenarios
            .iter()
            .rev()
            .find(|(p, _)| p.matches(&s.id))
            .map(|(_, n)| *n);
        let by_level = match s.level {
            Level::Required => self.points.required,
            Level::Recommended => self.points.recommended,
        };
        by_pattern.or(by_level).unwrap_or(s.points)
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("tcp-server/reply", "tcp-server/reply"));
        assert!(!glob_match("tcp-server/reply", "tcp-server/replyx"));
        assert!(glob_match("tcp-server/*", "tcp-server/reply"));
        assert!(glob_match("*/reply", "udp-server/reply"));
        assert!(glob_match("tcp-*/sticky-*", "tcp-server/sticky-split"));
        assert!(!glob_match("tcp-*/sticky-*", "udp-server/sticky-split"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("a*a", "a"));
        assert!(glob_match("a*b*c", "aXbYc"));
        assert!(!glob_match("a*b*c", "aXcYb"));
    }
}

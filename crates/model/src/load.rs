//! YAML in, [`Scenario`] out, or an error that says where and what.
//!
//! Scenario authors spend much of their time reading our errors, so every
//! error carries the file, the line and column, the offending line itself, and,
//! for a misspelt key, the key that was probably meant.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;

use crate::contract::{Level, Role};
use crate::property::PropertySpec;
use crate::scenario::{Localized, Scenario, When};
use crate::spanned::Spanned;
use crate::step::{ConnName, Step, StepAt};

/// A scenario file's name and text.
#[derive(Clone, Debug)]
pub struct Source {
    /// How the file is named in messages (a path, or `builtin:...`).
    pub name: String,
    /// The YAML text.
    pub text: String,
}

/// A scenario file that cannot be used, and where to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The file.
    pub file: String,
    /// 1-based line (0 when the whole file is at fault).
    pub line: u64,
    /// 1-based column (0 when the whole file is at fault).
    pub column: u64,
    /// What is wrong.
    pub kind: LoadErrorKind,
    /// The offending line of the file, for display.
    pub source_line: Option<String>,
}

/// What is wrong with a scenario file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadErrorKind {
    /// The file or folder cannot be read.
    #[error("cannot read: {0}")]
    Io(String),
    /// The YAML does not have the shape of a scenario.
    #[error("{message}")]
    Shape {
        /// What the parser said.
        message: String,
        /// A suggestion (`did you mean ...`).
        help: Option<String>,
    },
    /// The YAML has the right shape but says something impossible.
    #[error("{message}")]
    Invalid {
        /// What is impossible.
        message: String,
        /// A suggestion.
        help: Option<String>,
    },
    /// Two scenarios share an id.
    #[error("duplicate scenario id `{id}` (first defined in {first})")]
    DuplicateId {
        /// The id.
        id: String,
        /// Where it was first defined.
        first: String,
    },
}

impl LoadError {
    pub(crate) fn at(src: &Source, line: u64, column: u64, kind: LoadErrorKind) -> Self {
        let source_line = (line > 0)
            .then(|| src.text.lines().nth(line as usize - 1).map(str::to_owned))
            .flatten();
        LoadError {
            file: src.name.clone(),
            line,
            column,
            kind,
            source_line,
        }
    }

    fn help(&self) -> Option<&str> {
        match &self.kind {
            LoadErrorKind::Shape { help, .. } | LoadErrorKind::Invalid { help, .. } => {
                help.as_deref()
            }
            _ => None,
        }
    }
}

impl fmt::Display for LoadError {
    /// Renders like rustc: the message, the location, the line and a caret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.kind)?;
        if self.line == 0 {
            write!(f, "  --> {}", self.file)?;
        } else {
            write!(f, "  --> {}:{}:{}", self.file, self.line, self.column)?;
        }
        if let Some(text) = &self.source_line {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            let caret_at = (self.column.max(1) - 1) as usize;
            let lead: String = text
                .chars()
                .take(caret_at)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n{pad} |\n{num} | {text}\n{pad} | {lead}^")?;
        }
        if let Some(help) = self.help() {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// A text that is English alone (`concept: ...`) or given in both languages
/// (`concept: { en: ..., zh: ... }`). A visitor rather than an untagged
/// enum, so that a typo in the map is reported as the unknown key it is, not
/// as "matched no variant", at the line and column of that key.
fn text_or_localized<'de, D: serde::Deserializer<'de>>(
    d: D,
    what: &'static str,
) -> Result<Localized, D::Error> {
    struct V(&'static str);
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Localized;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(f, "the {} as text, or as {{ en: ..., zh: ... }}", self.0)
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Localized, E> {
            Ok(Localized {
                en: v.to_owned(),
                zh: String::new(),
            })
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Localized, A::Error> {
            Localized::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_any(V(what))
}

/// `concept:` is English text, or `{ en: ..., zh: ... }`.
struct Concept(Localized);

impl<'de> Deserialize<'de> for Concept {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        text_or_localized(d, "concept").map(Concept)
    }
}

impl Concept {
    fn en(&self) -> &str {
        &self.0.en
    }

    fn zh(&self) -> &str {
        &self.0.zh
    }
}

/// `title:` is English text (a teacher's own file, as it always was), or
/// `{ en: ..., zh: ... }`. The English title is what every report shows
/// when no Chinese one is asked for, so the map form cannot leave it out.
struct Title(Localized);

impl<'de> Deserialize<'de> for Title {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        text_or_localized(d, "title").map(Title)
    }
}

/// Text in English alone, or in both languages: the schema of [`Concept`]
/// and [`Title`], which read either.
fn text_or_localized_schema(generator: &mut SchemaGenerator, what: &str) -> Schema {
    let localized = generator.subschema_for::<Localized>();
    json_schema!({
        "description": format!("The {what}: English text, or {{ en: ..., zh: ... }}."),
        "anyOf": [{ "type": "string" }, localized],
    })
}

impl JsonSchema for Concept {
    fn schema_name() -> Cow<'static, str> {
        "Concept".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        text_or_localized_schema(generator, "note of the course the scenario checks")
    }
}

impl JsonSchema for Title {
    fn schema_name() -> Cow<'static, str> {
        "Title".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        text_or_localized_schema(generator, "one line saying what is checked")
    }
}

/// A scenario file: one check of a program of one role, as steps the
/// harness takes or a property checked on generated cases.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "sockspec scenario")]
pub(crate) struct RawScenario {
    /// `ROLE/NAME`, unique in a suite; NAME is letters, digits and '-', and
    /// ROLE must be the scenario's `role`.
    #[schemars(regex(pattern = r"^[a-z]+-[a-z]+/[A-Za-z0-9-]+$"))]
    id: Spanned<String>,
    /// One line saying what is checked.
    title: Spanned<Title>,
    /// The kind of program the scenario grades.
    role: Spanned<Role>,
    /// Whether the scenario counts by default (`required`) or only under
    /// `--strict` (`recommended`).
    level: Level,
    /// The note of the course the scenario checks, in words a student reads.
    concept: Concept,
    /// What to change when the scenario fails.
    hint: Option<Localized>,
    /// The hint in C's terms, where it differs from the notes' Python.
    hint_c: Option<Localized>,
    /// The hint in Java's terms, where it differs from the notes' Python.
    hint_java: Option<Localized>,
    /// Points a grader may give it (1 unless stated).
    points: Option<u32>,
    /// The contracts under which the scenario applies (empty lists: any).
    #[serde(default)]
    when: When,
    /// What the harness does and expects, in order (or give a `property`).
    #[schemars(length(min = 1))]
    steps: Option<Spanned<Vec<Spanned<Step>>>>,
    /// A property checked on generated cases instead of fixed steps.
    property: Option<Spanned<PropertySpec>>,
    /// The scenario needs a program started for it alone, never one an
    /// earlier scenario of the same submission passed with and left
    /// clean (what the harness does otherwise, to start programs less
    /// often). Scenarios that start, kill or restart the program, feed a
    /// client's input or read what it prints always get their own.
    #[serde(default)]
    fresh: bool,
}

/// Parses and validates one scenario file.
pub fn load_source(src: &Source) -> Result<Scenario, LoadError> {
    let options = serde_saphyr::options! { strict_booleans: true };
    let raw: RawScenario =
        serde_saphyr::from_str_with_options(&src.text, options).map_err(|e| yaml_error(src, &e))?;

    let role = raw.role.value;
    let id = raw.id.value;
    let expected_prefix = format!("{role}/");
    let name = id.strip_prefix(&expected_prefix).unwrap_or("");
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(LoadError::at(
            src,
            raw.id.referenced.line(),
            raw.id.referenced.column(),
            LoadErrorKind::Invalid {
                message: format!("scenario id `{id}` must be `{role}/NAME`"),
                help: Some(format!(
                    "NAME is letters, digits and '-', and the role part must match `role: {role}`"
                )),
            },
        ));
    }
    let invalid = |line: u64, column: u64, message: String, help: Option<String>| {
        LoadError::at(src, line, column, LoadErrorKind::Invalid { message, help })
    };
    let (steps, property) = match (raw.steps, raw.property) {
        (Some(_), Some(p)) => {
            return Err(invalid(
                p.referenced.line(),
                p.referenced.column(),
                "a scenario has either `steps` or a `property`, not both".into(),
                None,
            ));
        }
        (None, None) => {
            return Err(invalid(
                raw.id.referenced.line(),
                raw.id.referenced.column(),
                "a scenario needs `steps` (or a `property`)".into(),
                None,
            ));
        }
        (None, Some(p)) => {
            if p.value.name.role() != role {
                return Err(invalid(
                    p.referenced.line(),
                    p.referenced.column(),
                    format!(
                        "property `{}` is about a {}, not a {role}",
                        p.value.name.as_str(),
                        p.value.name.role()
                    ),
                    None,
                ));
            }
            if p.value.cases == 0 {
                return Err(invalid(
                    p.referenced.line(),
                    p.referenced.column(),
                    "`cases: 0` would check nothing".into(),
                    None,
                ));
            }
            if p.value.chunks.min == 0 || p.value.senders.min == 0 {
                return Err(invalid(
                    p.referenced.line(),
                    p.referenced.column(),
                    "chunk sizes and sender counts start at 1".into(),
                    None,
                ));
            }
            (Vec::new(), Some(p.value))
        }
        (Some(steps), None) => {
            if steps.value.is_empty() {
                return Err(invalid(
                    steps.referenced.line(),
                    steps.referenced.column(),
                    "a scenario needs at least one step".into(),
                    None,
                ));
            }
            let steps: Vec<StepAt> = steps
                .value
                .into_iter()
                .map(|s| StepAt {
                    step: s.value,
                    line: s.referenced.line(),
                    column: s.referenced.column(),
                })
                .collect();
            (steps, None)
        }
    };
    check_steps_fit_role(src, role, &steps)?;
    check_connections(src, &steps)?;
    let (title, title_zh) = check_title(src, raw.title)?;

    Ok(Scenario {
        id,
        title,
        title_zh,
        role,
        level: raw.level,
        concept: raw.concept.en().trim().to_owned(),
        concept_zh: raw.concept.zh().trim().to_owned(),
        hint: raw.hint.map(trimmed).unwrap_or_default(),
        hint_c: raw.hint_c.map(trimmed),
        hint_java: raw.hint_java.map(trimmed),
        points: raw.points.unwrap_or(1),
        when: raw.when,
        steps,
        property,
        file: src.name.clone(),
        fresh: raw.fresh,
    })
}

/// The title in English and in Chinese, trimmed. A title in two languages
/// must have its English half: reports show it whenever Chinese is not
/// asked for, and a plain `title:` is English.
fn check_title(src: &Source, title: Spanned<Title>) -> Result<(String, String), LoadError> {
    let Localized { en, zh } = title.value.0;
    let (en, zh) = (en.trim().to_owned(), zh.trim().to_owned());
    if en.is_empty() && !zh.is_empty() {
        return Err(LoadError::at(
            src,
            title.referenced.line(),
            title.referenced.column(),
            LoadErrorKind::Invalid {
                message: "the title has Chinese text but no English text".into(),
                help: Some("write `title: { en: ..., zh: ... }`".into()),
            },
        ));
    }
    Ok((en, zh))
}

fn check_steps_fit_role(src: &Source, role: Role, steps: &[StepAt]) -> Result<(), LoadError> {
    let allowed = Step::keywords_for(role);
    for at in steps {
        let keyword = at.step.keyword();
        if !at.step.fits(role) {
            let help = if allowed.is_empty() {
                format!("role {role} has no steps yet")
            } else {
                format!("steps for {role}: {}", allowed.join(", "))
            };
            return Err(LoadError::at(
                src,
                at.line,
                at.column,
                LoadErrorKind::Invalid {
                    message: format!("step `{keyword}` does not fit role {role}"),
                    help: Some(help),
                },
            ));
        }
    }
    Ok(())
}

/// A connection must be opened before it is used, and not opened twice.
fn check_connections(src: &Source, steps: &[StepAt]) -> Result<(), LoadError> {
    let mut open: HashSet<&ConnName> = HashSet::new();
    let mut known: Vec<&ConnName> = Vec::new();
    for at in steps {
        if let Step::ExpectClosed(c) = &at.step {
            let problem = if open.contains(c) {
                Some(format!("connection `{c}` is still open here"))
            } else if !known.contains(&c) {
                Some(format!("connection `{c}` was never opened"))
            } else {
                None
            };
            if let Some(message) = problem {
                return Err(LoadError::at(
                    src,
                    at.line,
                    at.column,
                    LoadErrorKind::Invalid {
                        message,
                        help: Some(
                            "`expect_closed` checks a connection the harness has closed".into(),
                        ),
                    },
                ));
            }
            continue;
        }
        let Some(conn) = at.step.conn() else { continue };
        let invalid = |message: String, help: Option<String>| {
            LoadError::at(
                src,
                at.line,
                at.column,
                LoadErrorKind::Invalid { message, help },
            )
        };
        match &at.step {
            Step::Connect(c) | Step::Accept(c) | Step::Udp(c) => {
                if !open.insert(c) {
                    return Err(invalid(
                        format!("connection `{c}` is already open"),
                        Some("close or abort it first, or give the new one another name".into()),
                    ));
                }
                known.push(c);
            }
            _ if !open.contains(conn) => {
                if known.contains(&conn) {
                    return Err(invalid(
                        format!("connection `{conn}` is already closed here"),
                        Some("open a new one with `- connect: NAME` and use that".into()),
                    ));
                }
                let help = did_you_mean(&conn.0, known.iter().map(|c| c.0.as_str()))
                    .or_else(|| Some(format!("add `- connect: {conn}` before this step")));
                return Err(invalid(
                    format!("connection `{conn}` is used before `connect`"),
                    help,
                ));
            }
            Step::Close(c) | Step::Abort(c) => {
                open.remove(c);
            }
            Step::Send(s) if s.close => {
                open.remove(&s.to);
            }
            _ => {}
        }
    }
    Ok(())
}

pub(crate) fn yaml_error(src: &Source, e: &serde_saphyr::Error) -> LoadError {
    use serde_saphyr::Error as E;
    let inner = e.without_snippet();
    let (line, column) = inner
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((0, 0));
    let (message, help) = match inner {
        E::SerdeUnknownField {
            field, expected, ..
        } => (
            format!(
                "unknown key `{field}`, expected one of: {}",
                expected.join(", ")
            ),
            did_you_mean(field, expected.iter().copied()),
        ),
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            format!(
                "unknown `{variant}`, expected one of: {}",
                expected.join(", ")
            ),
            did_you_mean(variant, expected.iter().copied()),
        ),
        other => {
            let message = plain_message(other);
            // The parser stops at the mapping's last key, which is not
            // where anything is wrong: say what to add instead.
            let help = message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.strip_suffix('`'))
                .map(|field| match field {
                    "role" => format!(
                        "add `role:`, the kind of program graded: {}",
                        crate::Role::ALL.map(|r| r.as_str()).join(", ")
                    ),
                    _ => format!("add a `{field}:` key to this mapping"),
                });
            (message, help)
        }
    };
    LoadError::at(src, line, column, LoadErrorKind::Shape { message, help })
}

/// The parser's message without its own location suffix (we print ours).
fn plain_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let text = match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    };
    text.trim().to_owned()
}

/// `did you mean `send`?` when a known word is close to the typo.
pub(crate) fn did_you_mean<'a>(
    typo: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<String> {
    candidates
        .map(|c| (strsim::jaro_winkler(typo, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Loads every scenario under the given files and folders (folders are
/// searched for `*.yaml` and `*.yml`, in name order). Returns the scenarios
/// that loaded and the errors of those that did not; ids must be unique.
pub fn load_paths(paths: &[PathBuf]) -> (Vec<Scenario>, Vec<LoadError>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        collect(path, &mut sources, &mut errors);
    }
    let (scenarios, more) = load_sources(&sources);
    errors.extend(more);
    (scenarios, errors)
}

/// Loads a set of sources and checks that their ids are unique.
pub fn load_sources(sources: &[Source]) -> (Vec<Scenario>, Vec<LoadError>) {
    let mut scenarios = Vec::new();
    let mut errors = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for src in sources {
        match load_source(src) {
            Ok(s) => {
                if let Some(first) = seen.get(&s.id) {
                    errors.push(LoadError::at(
                        src,
                        0,
                        0,
                        LoadErrorKind::DuplicateId {
                            id: s.id.clone(),
                            first: first.clone(),
                        },
                    ));
                } else {
                    seen.insert(s.id.clone(), src.name.clone());
                    scenarios.push(s);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    (scenarios, errors)
}

fn collect(path: &Path, sources: &mut Vec<Source>, errors: &mut Vec<LoadError>) {
    let io_error = |e: std::io::Error| LoadError {
        file: path.display().to_string(),
        line: 0,
        column: 0,
        kind: LoadErrorKind::Io(e.to_string()),
        source_line: None,
    };
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => return errors.push(io_error(e)),
        };
        entries.sort();
        for entry in entries {
            let is_yaml = entry.extension().is_some_and(|x| x == "yaml" || x == "yml");
            if entry.is_dir() || is_yaml {
                collect(&entry, sources, errors);
            }
        }
    } else {
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => sources.push(Source {
                    name: path.display().to_string(),
                    text,
                }),
                Err(_) => errors.push(io_error(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the file is not UTF-8 text",
                ))),
            },
            Err(e) => errors.push(io_error(e)),
        }
    }
}

/// A text of both languages without the line ends YAML's `>` leaves.
fn trimmed(h: Localized) -> Localized {
    Localized {
        en: h.en.trim().to_owned(),
        zh: h.zh.trim().to_owned(),
    }
}

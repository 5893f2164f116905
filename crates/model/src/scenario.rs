//! What a scenario is once it has loaded: an id, the role and level, the note
//! of the course it checks, and a list of steps that each remember where in
//! the file they were written (so a failure can point back at the line).

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::contract::{Contract, Framing, Level, ReplyKind, Role};
use crate::property::PropertySpec;
use crate::step::StepAt;

/// One scenario, validated and ready to run.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// `role/name`, unique in a suite.
    pub id: String,
    /// One line saying what is checked, in English.
    pub title: String,
    /// The same line in Chinese, the language of the course (empty if the
    /// file gives none).
    pub title_zh: String,
    /// The kind of program this scenario grades.
    pub role: Role,
    /// Whether it counts by default.
    pub level: Level,
    /// The note of the course the scenario checks, in words a student reads.
    pub concept: String,
    /// The same note in Chinese, the language of the course (empty if the
    /// file gives none).
    pub concept_zh: String,
    /// What to change when the scenario fails, in both languages (empty
    /// strings if the file gives none).
    pub hint: Localized,
    /// The same advice in C's terms (recv() returns 0, SIGPIPE, setsockopt
    /// with an int), where it differs from the notes' Python (`hint_c:`).
    pub hint_c: Option<Localized>,
    /// The same advice in Java's terms (read() returns -1, IOException,
    /// setReuseAddress), where it differs (`hint_java:`).
    pub hint_java: Option<Localized>,
    /// Points a grader may give it (1 unless stated).
    pub points: u32,
    /// The contracts under which it applies.
    pub when: When,
    /// What the harness does and expects, in order (empty for a property).
    pub steps: Vec<StepAt>,
    /// A property checked on generated cases instead of fixed steps.
    pub property: Option<PropertySpec>,
    /// The file it came from.
    pub file: String,
    /// The file says the scenario needs a program of its own (`fresh:
    /// true`); see [`Scenario::may_share`] for the rest of the rule.
    pub fresh: bool,
}

impl Scenario {
    /// Whether the scenario may be played on a program an earlier scenario
    /// started, passed with and left clean. Only servers are shared (a
    /// client is started with its input, a sender runs once), and never
    /// by a scenario that says it needs a fresh one, starts, kills or
    /// restarts the program, waits for its exit, reads what it prints, or
    /// takes its port beside it: all of those are about the program's own
    /// start or end, which a shared program has had before.
    pub fn may_share(&self) -> bool {
        use crate::Step;
        let serves = matches!(
            self.role,
            Role::TcpServer | Role::UdpServer | Role::HttpServer
        );
        serves
            && !self.fresh
            && !self.steps.iter().any(|s| {
                matches!(
                    s.step,
                    Step::Start
                        | Step::Kill
                        | Step::Restart
                        | Step::ExpectExit(_)
                        | Step::ExpectPrinted(_)
                        | Step::Stdin(_)
                        | Step::Quit
                        | Step::CloseStdin
                        | Step::BindBeside
                )
            })
    }

    /// Whether the scenario counts toward the verdict.
    pub fn counts(&self, strict: bool) -> bool {
        strict || self.level == Level::Required
    }

    /// The title in Chinese when `zh` is asked for and the file gives one,
    /// else in English (as [`Localized::get`] picks).
    pub fn title(&self, zh: bool) -> &str {
        if (zh && !self.title_zh.is_empty()) || self.title.is_empty() {
            &self.title_zh
        } else {
            &self.title
        }
    }
}

/// A text in the two languages of the course's students.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    /// English.
    #[serde(default)]
    pub en: String,
    /// Chinese.
    #[serde(default)]
    pub zh: String,
}

impl Localized {
    /// The text in `lang` (`zh` or anything else for English), falling
    /// back to the other language when that one is empty.
    pub fn get(&self, zh: bool) -> &str {
        match (zh, self.en.is_empty(), self.zh.is_empty()) {
            (true, _, false) | (false, true, false) => &self.zh,
            _ => &self.en,
        }
    }
}

/// The contracts under which a scenario applies; empty lists mean "any".
#[derive(Clone, Debug, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// Framings the scenario applies to.
    #[serde(default)]
    pub framing: Vec<Framing>,
    /// Reply rules the scenario applies to.
    #[serde(default)]
    pub reply: Vec<ReplyKind>,
}

impl When {
    /// `None` if the scenario applies to the contract, else why it is skipped.
    pub fn skip(&self, contract: &Contract) -> Option<Skip> {
        if !self.framing.is_empty() && !self.framing.contains(&contract.framing) {
            return Some(Skip::Framing {
                wanted: self.framing.clone(),
                got: contract.framing,
            });
        }
        if !self.reply.is_empty() && !self.reply.contains(&contract.reply.kind()) {
            return Some(Skip::Reply {
                wanted: self.reply.clone(),
                got: contract.reply.to_string(),
            });
        }
        None
    }

    /// [`When::skip`] in English.
    pub fn skip_reason(&self, contract: &Contract) -> Option<String> {
        self.skip(contract).map(|s| s.to_string())
    }
}

/// Why a scenario does not apply to a contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skip {
    /// It applies to other framings only.
    Framing {
        /// The framings it applies to.
        wanted: Vec<Framing>,
        /// The contract's.
        got: Framing,
    },
    /// It applies to other reply rules only.
    Reply {
        /// The rules it applies to.
        wanted: Vec<ReplyKind>,
        /// The contract's rule, as written (`fixed:Thanks`).
        got: String,
    },
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::Framing { wanted, got } => {
                let wanted: Vec<&str> = wanted.iter().map(|f| f.as_str()).collect();
                write!(
                    f,
                    "applies to framing {} only; the contract says {got}",
                    wanted.join("/")
                )
            }
            Skip::Reply { wanted, got } => {
                let wanted: Vec<&str> = wanted.iter().map(|r| r.as_str()).collect();
                write!(
                    f,
                    "applies to reply rule {} only; the contract says {got}",
                    wanted.join("/")
                )
            }
        }
    }
}

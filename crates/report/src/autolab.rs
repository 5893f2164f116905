//! Autolab's autograder output, so that a course on Autolab can make
//! `sockspec run` its whole driver: Autolab shows students everything the
//! autograder prints and takes the scores from the last line alone.
//!
//! Autolab's guide for lab authors
//! (<https://docs.autolabproject.com/lab/>) asks for the last line of
//! stdout to be a JSON *autoresult*: `{"scores": {"Prob1": 10, ...}}`, with
//! an optional `"scoreboard"` array of the values of this submission's
//! scoreboard row. So the human report (without colour, streamed as the run
//! goes) comes first, as feedback, and one line of JSON ends the output.
//!
//! Problems are roles: a role's score is the points of its counted
//! scenarios that passed or were flaky (flaky earns its points; the report
//! above names it). Autolab posts a score to the gradebook only for a
//! problem the lab defines under exactly that name (others are only
//! logged), so the lab defines problems named
//! `tcp-server`, `udp-server`, ... for the roles it grades; every role that
//! had a scenario in the run gets a score, 0 included, so that a role whose
//! program failed throughout is written down rather than left out. The
//! scoreboard row is the total, then each role's score, roles in the order
//! of the notes (the order of [`Role::ALL`](sockspec_model::Role::ALL)):
//! the columns of Autolab's default scoreboard (total, then each problem),
//! which a custom scoreboard's column specification can name one by one.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use sockspec_model::Role;
use sockspec_results::{Event, Status};

use crate::human::{Human, HumanOptions};
use crate::{Lang, Reporter};

/// Writes the human report to `out` as the run goes, then Autolab's JSON
/// autoresult as the last line.
pub struct Autolab<W: Write> {
    human: Human<W>,
    /// Each role in the run, with the points it earned.
    scores: BTreeMap<Role, u32>,
}

impl<W: Write> Autolab<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W) -> Self {
        let options = HumanOptions {
            color: false,
            ..HumanOptions::default()
        };
        Autolab {
            human: Human::new(out, options),
            scores: BTreeMap::new(),
        }
    }

    /// The same reporter, its human report in `lang` (English unless
    /// told); the autoresult line is for Autolab and has no words to
    /// translate.
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.human.set_lang(lang);
        self
    }
}

/// The scores, in role order (a map would sort the names alphabetically).
struct Scores<'a>(&'a BTreeMap<Role, u32>);

impl Serialize for Scores<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(role, points)| (role.as_str(), points)))
    }
}

#[derive(Serialize)]
struct Autoresult<'a> {
    scores: Scores<'a>,
    scoreboard: Vec<u32>,
}

impl<W: Write> Reporter for Autolab<W> {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        if let Event::ScenarioFinished(r) = event {
            let earned = r.counted && matches!(r.status, Status::Pass | Status::Flaky);
            *self.scores.entry(r.role).or_default() += if earned { r.points } else { 0 };
        }
        self.human.event(event)?;
        if let Event::RunFinished { summary, .. } = event {
            let mut scoreboard = vec![summary.points];
            scoreboard.extend(self.scores.values().copied());
            let line = Autoresult {
                scores: Scores(&self.scores),
                scoreboard,
            };
            let out = self.human.writer();
            serde_json::to_writer(&mut *out, &line)?;
            writeln!(out)?;
            out.flush()?;
        }
        Ok(())
    }
}

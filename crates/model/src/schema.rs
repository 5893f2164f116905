//! JSON Schemas of the two file formats, made from the very types the
//! loader reads, so that an editor's completion and checking cannot drift
//! from what `sockspec` accepts.
//!
//! A schema checks shape only (keys, types, the spelling of a reply rule);
//! what needs the whole file (a connection used before it is opened, a
//! pattern that matches no scenario) is left to the loader, which says
//! where. Draft 7, the draft YAML editors understand best.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};

use crate::assignment::RawAssignment;
use crate::load::RawScenario;

/// The file formats a schema can describe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A scenario file (`scenarios/ROLE/NAME.yaml`).
    Scenario,
    /// An assignment file (`assignments/*.yaml`).
    Assignment,
}

impl FileKind {
    /// The name used on the command line and in the schema's file name.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Scenario => "scenario",
            FileKind::Assignment => "assignment",
        }
    }
}

/// The JSON Schema of files of `kind`.
pub fn schema_for(kind: FileKind) -> Schema {
    match kind {
        FileKind::Scenario => generate::<RawScenario>(),
        FileKind::Assignment => generate::<RawAssignment>(),
    }
}

/// The schema as the committed `docs/schema/*.schema.json` holds it:
/// pretty JSON with a final newline.
pub fn schema_text(kind: FileKind) -> String {
    let mut text = serde_json::to_string_pretty(&schema_for(kind))
        .expect("a schema made of JSON values always serialises");
    text.push('\n');
    text
}

fn generate<T: JsonSchema>() -> Schema {
    SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<T>()
}

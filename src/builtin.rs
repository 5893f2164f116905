//! The built-in suite, compiled into the binary so that an installed
//! `sockspec` carries its scenarios wherever it is copied.

use include_dir::{Dir, include_dir};
use sockspec_model::{LoadError, Scenario, Source};

static SCENARIOS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/scenarios");

/// Every built-in scenario, loaded and checked.
pub fn suite() -> (Vec<Scenario>, Vec<LoadError>) {
    let mut sources = Vec::new();
    collect(&SCENARIOS, &mut sources);
    sources.sort_by(|a, b| a.name.cmp(&b.name));
    sockspec_model::load_sources(&sources)
}

fn collect(dir: &Dir<'_>, sources: &mut Vec<Source>) {
    for file in dir.files() {
        let is_yaml = file
            .path()
            .extension()
            .is_some_and(|x| x == "yaml" || x == "yml");
        if let (true, Some(text)) = (is_yaml, file.contents_utf8()) {
            sources.push(Source {
                name: format!("builtin:scenarios/{}", file.path().display()),
                text: text.to_owned(),
            });
        }
    }
    for sub in dir.dirs() {
        collect(sub, sources);
    }
}

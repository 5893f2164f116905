//! What the crate's unit tests share: a step as a scenario file writes it,
//! typed by the real loader, so that tests never build steps by hand in a
//! shape no file could have.

use sockspec_model::Step;

/// A step as a scenario file of `role` writes it, typed by the loader.
pub(crate) fn typed(yaml: &str, role: &str) -> Step {
    // The connections a step names exist before it (c is closed).
    let before = match role {
        "tcp-server" | "http-server" => {
            "  - connect: a\n  - connect: b\n  - connect: c\n  - close: c\n"
        }
        _ if yaml.starts_with("accept") => "",
        "tcp-client" | "http-client" => "  - accept: a\n",
        _ => "",
    };
    let text = format!(
        "id: {role}/x\ntitle: x\nrole: {role}\nlevel: required\nconcept: x\nsteps:\n{before}  - {yaml}\n"
    );
    let src = sockspec_model::Source {
        name: "t.yaml".into(),
        text,
    };
    let scenario = sockspec_model::load_source(&src).unwrap_or_else(|e| panic!("{yaml}: {e}"));
    scenario.steps.last().expect("a step").step.clone()
}

//! Assignment files: what a grader writes once for 300 submissions. Every
//! mistake names file:line:column, a pattern that matches no scenario is an
//! error (not a smaller grade), and points follow the documented order.

use proptest::prelude::*;
use sockspec_model::{
    Framing, LoadError, Role, Scenario, Source, Visibility, load_assignment, load_sources,
};

const VALID: &str = r#"assignment: hw
points:
  required: 2
  recommended: 1
  scenarios:
    tcp-server/restart: 5
    "tcp-server/sticky-*": 3
strict: true
retries: 2
budget_s: 12.5
visibility: after_published
programs:
  tcp-server:
    command: python3 server.py {port}
    reply: fixed:Thanks
    framing: line
    skip: [tcp-server/non-utf8]
  udp-client:
    command: python3 client.py {host} {port}
    quit: bye
    budget_s: 3
    only: ["udp-client/l*"]
"#;

fn src(text: &str) -> Source {
    Source {
        name: "hw.yaml".into(),
        text: text.into(),
    }
}

fn error(text: &str) -> LoadError {
    match load_assignment(&src(text)) {
        Ok(_) => panic!("loaded:\n{text}"),
        Err(e) => e,
    }
}

/// A small suite: scenario files of the repository's own suite.
fn suite() -> Vec<Scenario> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios");
    let (scenarios, errors) = sockspec_model::load_paths(&[
        format!("{root}/tcp-server").into(),
        format!("{root}/udp-client").into(),
        format!("{root}/udp-server").into(),
    ]);
    assert!(errors.is_empty(), "{errors:?}");
    scenarios
}

#[test]
fn a_valid_assignment_loads_with_its_contracts() {
    let a = load_assignment(&src(VALID)).unwrap();
    assert_eq!(a.name, "hw");
    assert!(a.strict);
    assert_eq!(a.retries, Some(2));
    assert_eq!(a.visibility, Visibility::AfterPublished);
    let server = a.program(Role::TcpServer).unwrap();
    assert_eq!(server.contract.framing, Framing::Line);
    assert_eq!(server.contract.reply.to_string(), "fixed:Thanks");
    assert_eq!(server.budget.unwrap().as_secs_f64(), 12.5);
    let client = a.program(Role::UdpClient).unwrap();
    assert_eq!(client.contract.quit, "bye");
    assert_eq!(client.budget.unwrap().as_secs(), 3);
    assert!(a.program(Role::UdpServer).is_none());
}

#[test]
fn select_keeps_the_programs_scenarios_and_gives_their_points() {
    let a = load_assignment(&src(VALID)).unwrap();
    let chosen = a.select(suite()).unwrap();
    let ids: Vec<&str> = chosen.iter().map(|s| s.id.as_str()).collect();
    // udp-server has no program; udp-client only l*; tcp-server skips non-utf8.
    assert!(ids.iter().all(|i| !i.starts_with("udp-server/")), "{ids:?}");
    assert!(ids.contains(&"udp-client/lines"), "{ids:?}");
    assert!(ids.contains(&"udp-client/lost-reply"), "{ids:?}");
    assert!(!ids.contains(&"udp-client/quit"), "{ids:?}");
    assert!(!ids.contains(&"tcp-server/non-utf8"), "{ids:?}");
    let points = |id: &str| chosen.iter().find(|s| s.id == id).unwrap().points;
    assert_eq!(points("tcp-server/restart"), 5);
    assert_eq!(points("tcp-server/sticky-split"), 3);
    assert_eq!(points("tcp-server/reply"), 2);
    assert_eq!(points("udp-client/lost-reply"), 1, "recommended");
}

#[test]
fn without_points_a_scenario_keeps_its_own() {
    let a = load_assignment(&src(
        "assignment: x\nprograms:\n  tcp-server:\n    command: ./s {port}\n",
    ))
    .unwrap();
    let (own, errors) = load_sources(&[Source {
        name: "p.yaml".into(),
        text: "id: tcp-server/p\ntitle: t\nrole: tcp-server\nlevel: required\nconcept: c\n\
               points: 7\nsteps:\n  - connect: a\n"
            .into(),
    }]);
    assert!(errors.is_empty());
    assert_eq!(a.select(own).unwrap()[0].points, 7);
}

#[test]
fn levels_promote_and_demote_by_pattern_and_points_follow() {
    let a = load_assignment(&src(
        "assignment: x\npoints: { required: 2, recommended: 1 }\n\
         levels:\n  tcp-server/restart: required\n  \"tcp-server/*\": recommended\n  tcp-server/reply: required\n\
         programs:\n  tcp-server:\n    command: s\n",
    ))
    .unwrap();
    let chosen = a.select(suite()).unwrap();
    let level = |id: &str| {
        let s = chosen.iter().find(|s| s.id == id).unwrap();
        (s.level.as_str(), s.points)
    };
    // The last pattern written that names a scenario wins.
    assert_eq!(level("tcp-server/reply"), ("required", 2));
    assert_eq!(level("tcp-server/restart"), ("recommended", 1));
    assert_eq!(level("tcp-server/peer-exit"), ("recommended", 1));
}

#[test]
fn a_level_pattern_that_matches_nothing_is_an_error() {
    let a = load_assignment(&src(
        "assignment: x\nlevels:\n  tcp-server/restrt: required\nprograms:\n  tcp-server:\n    command: s\n",
    ))
    .unwrap();
    let e = a.select(suite()).unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.contains("`tcp-server/restrt` in levels matches no scenario"),
        "{shown}"
    );
    assert!(
        shown.contains("did you mean `tcp-server/restart`?"),
        "{shown}"
    );
    assert_eq!((e.line, e.column), (3, 3));
}

#[rstest::rstest]
#[case::unknown_level(
    "assignment: x\nlevels:\n  tcp-server/restart: requird\nprograms:\n  tcp-server:\n    command: s\n",
    3,
    23,
    "did you mean `required`?"
)]
#[case::unknown_key("assignment: x\nprogams: {}\n", 2, 1, "unknown key `progams`")]
#[case::unknown_role(
    "assignment: x\nprograms:\n  tcp-sever:\n    command: s\n",
    3,
    3,
    "unknown `tcp-sever`"
)]
#[case::unknown_program_key(
    "assignment: x\nprograms:\n  tcp-server:\n    command: s\n    replly: echo\n",
    5,
    5,
    "unknown key `replly`"
)]
#[case::bad_reply(
    "assignment: x\nprograms:\n  tcp-server:\n    command: s\n    reply: \"fixed:\"\n",
    5,
    12,
    "`fixed:` needs the reply text"
)]
#[case::bad_page(
    "assignment: x\nprograms:\n  http-server:\n    command: s\n    pages: [/=2000]\n",
    5,
    13,
    "bad page rule `/=2000`"
)]
#[case::pages_off_http(
    "assignment: x\nprograms:\n  tcp-server:\n    command: s\n    pages: [/=200]\n",
    4,
    14,
    "`pages` are rules for an http-server"
)]
#[case::no_programs("assignment: x\nprograms: {}\n", 2, 11, "at least one program")]
#[case::empty_command(
    "assignment: x\nprograms:\n  tcp-server:\n    command: \" \"\n",
    4,
    14,
    "command is empty"
)]
#[case::bad_budget(
    "assignment: x\nbudget_s: -1\nprograms:\n  tcp-server:\n    command: s\n",
    2,
    11,
    "budget_s: -1"
)]
#[case::port_zero(
    "assignment: x\nprograms:\n  tcp-server:\n    command: s\n    port: 0\n",
    5,
    11,
    "`port: 0`"
)]
#[case::cwd_escapes(
    "assignment: x\nprograms:\n  tcp-server:\n    command: s\n    cwd: ../other\n",
    5,
    10,
    "must be a folder inside the submission"
)]
#[case::bad_visibility(
    "assignment: x\nvisibility: public\nprograms:\n  tcp-server:\n    command: s\n",
    2,
    13,
    "unknown `public`"
)]
fn mistakes_name_their_place(
    #[case] text: &str,
    #[case] line: u64,
    #[case] column: u64,
    #[case] says: &str,
) {
    let e = error(text);
    let shown = e.to_string();
    assert!(shown.contains(says), "{shown}");
    assert_eq!((e.line, e.column), (line, column), "{shown}");
    assert!(
        shown.contains(&format!("hw.yaml:{line}:{column}")),
        "{shown}"
    );
}

#[rstest::rstest]
#[case::only_typo(
    "    only: [tcp-server/rply]\n",
    "`tcp-server/rply` in only matches no scenario",
    "did you mean `tcp-server/reply`?"
)]
#[case::skip_other_role(
    "    skip: [udp-server/reply]\n",
    "`udp-server/reply` in skip matches no scenario",
    "tcp-server/"
)]
fn a_pattern_that_matches_nothing_is_an_error(
    #[case] extra: &str,
    #[case] says: &str,
    #[case] helps: &str,
) {
    let text = format!("assignment: x\nprograms:\n  tcp-server:\n    command: s\n{extra}");
    let a = load_assignment(&src(&text)).unwrap();
    let e = a.select(suite()).unwrap_err();
    let shown = e.to_string();
    assert!(shown.contains(says), "{shown}");
    assert!(shown.contains(helps), "{shown}");
    assert_eq!(e.line, 5, "{shown}");
}

#[test]
fn points_for_a_scenario_of_no_program_are_an_error() {
    let a = load_assignment(&src(
        "assignment: x\npoints:\n  scenarios:\n    udp-server/reply: 4\nprograms:\n  tcp-server:\n    command: s\n",
    ))
    .unwrap();
    let e = a.select(suite()).unwrap_err();
    assert!(
        e.to_string()
            .contains("`udp-server/reply` in points matches no scenario"),
        "{e}"
    );
    assert_eq!((e.line, e.column), (4, 5));
}

#[test]
fn the_shipped_examples_load() {
    for name in [
        "four-programs.yaml",
        "four-programs-c.yaml",
        "four-programs-java.yaml",
        "http-page.yaml",
    ] {
        let path = format!("{}/../../assignments/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let a = load_assignment(&Source {
            name: path.clone(),
            text,
        })
        .unwrap();
        let all = {
            let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios");
            let (s, errors) = sockspec_model::load_paths(&[root.into()]);
            assert!(errors.is_empty());
            s
        };
        assert!(!a.select(all).unwrap().is_empty(), "{name}");
    }
}

/// Builds: the submission's first, then each program's, one run for the
/// programs that share a command and folder; `--role` keeps what builds
/// its program. An empty command or a deadline no build can have is an
/// error at its place.
#[test]
fn builds_run_the_submission_s_first_and_each_command_once() {
    let text = r#"assignment: hw
build: make
build_s: 30
programs:
  tcp-server:
    build: gcc -o s s.c
    command: ./s {port}
  udp-server:
    build: gcc -o s s.c
    command: ./s {port}
  tcp-client:
    build: javac C.java
    command: java C {host} {port}
    cwd: client
"#;
    let a = load_assignment(&src(text)).unwrap();
    assert_eq!(a.build_deadline, Some(std::time::Duration::from_secs(30)));
    let all: Vec<(String, Option<String>, Vec<Role>)> = a
        .builds(None)
        .into_iter()
        .map(|b| (b.command, b.cwd, b.roles))
        .collect();
    assert_eq!(
        all,
        [
            ("make".to_owned(), None, vec![]),
            (
                "gcc -o s s.c".to_owned(),
                None,
                vec![Role::TcpServer, Role::UdpServer]
            ),
            (
                "javac C.java".to_owned(),
                Some("client".to_owned()),
                vec![Role::TcpClient]
            ),
        ]
    );
    let client: Vec<String> = a
        .builds(Some(Role::TcpClient))
        .into_iter()
        .map(|b| b.command)
        .collect();
    assert_eq!(client, ["make", "javac C.java"]);

    let e = error(
        "assignment: hw\nprograms:\n  tcp-server:\n    command: ./s {port}\n    build: \"  \"\n",
    )
    .to_string();
    assert!(e.contains("the tcp-server's build command is empty"), "{e}");
    assert!(e.contains("hw.yaml:5:"), "{e}");
    let e =
        error("assignment: hw\nbuild_s: 0\nprograms:\n  tcp-server:\n    command: ./s {port}\n")
            .to_string();
    assert!(
        e.contains("`build_s: 0` is not a time a build can take"),
        "{e}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mutated_assignments_never_panic(cut in 0usize..VALID.len(), len in 0usize..20, insert in "[ :\\-\\[\\]{}a-z0-9\"\n]{0,6}") {
        let mut text = VALID.to_owned();
        let end = (cut + len).min(text.len());
        if text.is_char_boundary(cut) && text.is_char_boundary(end) {
            text.replace_range(cut..end, &insert);
        }
        if let Err(e) = load_assignment(&src(&text)) {
            let shown = e.to_string();
            prop_assert!(shown.starts_with("error: "), "{}", shown);
            prop_assert!(shown.contains("hw.yaml"), "{}", shown);
        }
    }
}

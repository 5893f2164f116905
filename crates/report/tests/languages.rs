//! Programs in C and Java, diagnosed in their own terms, as the human
//! report says it in both languages (pinned in
//! tests/snapshots/human-languages.{en,zh}.txt) and as JSON carries it: the
//! target's `language`, and each new kind of diagnosis with its facts.

mod common;

use common::{check_snapshot, render_by_language};
use serde_json::Value;
use sockspec_report::{Human, HumanOptions, Json, Lang};

fn human(lang: Lang) -> String {
    let mut out = Vec::new();
    render_by_language(Human::new(
        &mut out,
        HumanOptions {
            lang,
            durations: false,
            ..HumanOptions::default()
        },
    ));
    String::from_utf8(out).unwrap()
}

#[test]
fn the_human_report_speaks_c_and_java() {
    let en = human(Lang::En);
    check_snapshot("human-languages.en.txt", &en);
    // Sentences are wrapped: compare without the breaks.
    let flat = en.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("signal(SIGPIPE, SIG_IGN)"), "{en}");
    assert!(
        flat.contains("Create the ServerSocket once, before the accept() loop"),
        "{en}"
    );
    for python in ["BrokenPipeError", "sock.setsockopt", "b''"] {
        assert!(!en.contains(python), "{python} in:\n{en}");
    }
    let zh = human(Lang::Zh);
    check_snapshot("human-languages.zh.txt", &zh);
    let flat: String = zh.split_whitespace().collect();
    assert!(flat.contains("MSG_NOSIGNAL)发送"), "{zh}");
    assert!(flat.contains("ss.setReuseAddress(true)"), "{zh}");
}

#[test]
fn json_says_the_language_and_the_facts() {
    let mut out = Vec::new();
    render_by_language(Json::new(&mut out));
    let doc: Value = serde_json::from_slice(&out).unwrap();
    let result = |id: &str| {
        doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no {id}"))
            .clone()
    };
    let c = result("tcp-server/vanish-close");
    assert_eq!(c["failure"]["target"]["language"], "c");
    let d = &c["failure"]["diagnoses"][0];
    assert_eq!(d["kind"], "signaled");
    assert_eq!(d["signal"], "SIGPIPE");
    assert_eq!(d["number"], 13);
    assert_eq!(d["after"], "peer_closed");
    assert!(d["text"]["en"].as_str().unwrap().contains("MSG_NOSIGNAL"));
    assert!(d["text"]["zh"].as_str().unwrap().contains("MSG_NOSIGNAL"));
    let java = result("tcp-server/peer-exit");
    assert_eq!(java["failure"]["target"]["language"], "java");
    let d = &java["failure"]["diagnoses"][0];
    assert_eq!(d["kind"], "java_exception");
    assert_eq!(d["class"], "java.net.BindException");
    assert_eq!(d["short"], "BindException");
    assert_eq!(d["message"], "Address already in use");
    assert_eq!(d["at"]["method"], "Server.main");
    assert_eq!(d["at"]["line"], 9);
}

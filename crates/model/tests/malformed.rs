//! Malformed scenario files of any kind give an error with a location, never
//! a panic: arbitrary text, and valid files with bytes cut out or swapped.

use proptest::prelude::*;
use sockspec_model::{Source, load_source};

const VALID: &str = r#"id: tcp-server/x
title: t
role: tcp-server
level: required
concept: c
when: { framing: [line] }
steps:
  - connect: a
  - send: { to: a, text: "hi", chunks: [1] }
  - expect_reply: { from: a, count: 1 }
  - shutdown: a
  - expect_eof: a
  - close: a
  - kill
  - restart
  - expect_exit: { code: 0 }
"#;

fn load(text: &str) -> Result<(), sockspec_model::LoadError> {
    load_source(&Source {
        name: "t.yaml".into(),
        text: text.into(),
    })
    .map(|_| ())
}

#[test]
fn the_valid_file_loads() {
    load(VALID).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        if let Err(e) = load(&text) {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn mutated_valid_files_never_panic(cut in 0usize..VALID.len(), len in 0usize..20, insert in "[ :\\-\\[\\]{}a-z0-9\"\n]{0,6}") {
        let mut text = VALID.to_owned();
        let end = (cut + len).min(text.len());
        if text.is_char_boundary(cut) && text.is_char_boundary(end) {
            text.replace_range(cut..end, &insert);
        }
        if let Err(e) = load(&text) {
            let shown = e.to_string();
            prop_assert!(shown.starts_with("error: "), "{}", shown);
            prop_assert!(shown.contains("t.yaml"), "{}", shown);
        }
    }
}

#[test]
fn errors_name_line_and_column_and_suggest() {
    let text = VALID.replace("expect_reply", "expect_rpely");
    let e = load(&text).unwrap_err();
    assert_eq!((e.line, e.column), (10, 5));
    let shown = e.to_string();
    assert!(shown.contains("t.yaml:10:5"), "{shown}");
    assert!(shown.contains("did you mean `expect_reply`?"), "{shown}");
}

#[test]
fn unknown_keys_are_rejected_with_a_suggestion() {
    let text = VALID.replace("chunks: [1]", "chunk: [1]");
    let shown = load(&text).unwrap_err().to_string();
    assert!(shown.contains("unknown key `chunk`"), "{shown}");
    assert!(shown.contains("did you mean `chunks`?"), "{shown}");
}

#[test]
fn a_connection_used_before_connect_is_an_error_at_its_step() {
    let text = VALID.replace("- connect: a", "- connect: b");
    let e = load(&text).unwrap_err();
    assert_eq!(e.line, 9);
    assert!(e.to_string().contains("used before `connect`"), "{e}");
}

#[test]
fn the_id_must_match_the_role() {
    let text = VALID.replace("tcp-server/x", "udp-server/x");
    let e = load(&text).unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.to_string().contains("must be `tcp-server/NAME`"), "{e}");
}

#[test]
fn yes_is_not_a_boolean() {
    let text = VALID.replace("text: \"hi\",", "text: \"hi\", framed: yes,");
    assert!(load(&text).is_err());
}

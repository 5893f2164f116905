//! `title:` is English text, as a teacher's own file has always written it,
//! or `{ en: ..., zh: ... }` like `concept:` and `hint:`; a title that is
//! neither is an error at its line and column.

use sockspec_model::{LoadError, Scenario, Source, load_source};

/// A valid scenario whose `title:` line is `title`.
fn with_title(title: &str) -> String {
    format!(
        "id: tcp-server/t\n{title}\nrole: tcp-server\nlevel: required\nconcept: c\n\
         steps:\n  - connect: a\n  - close: a\n"
    )
}

fn load(text: &str) -> Result<Scenario, LoadError> {
    load_source(&Source {
        name: "t.yaml".into(),
        text: text.into(),
    })
}

#[test]
fn a_plain_title_is_english_and_has_no_chinese() {
    let s = load(&with_title("title: A message gets its reply")).unwrap();
    assert_eq!(s.title, "A message gets its reply");
    assert_eq!(s.title_zh, "");
    assert_eq!(s.title(false), "A message gets its reply");
    assert_eq!(s.title(true), "A message gets its reply", "falls back");
}

#[test]
fn a_title_in_both_languages_loads_both() {
    let s = load(&with_title(
        "title: { en: A message gets its reply, zh: 每条消息都得到回复 }",
    ))
    .unwrap();
    assert_eq!(s.title, "A message gets its reply");
    assert_eq!(s.title_zh, "每条消息都得到回复");
    assert_eq!(s.title(false), "A message gets its reply");
    assert_eq!(s.title(true), "每条消息都得到回复");
}

#[test]
fn a_block_title_in_both_languages_is_trimmed() {
    let s = load(&with_title(
        "title:\n  en: >\n    A message gets\n    its reply\n  zh: >\n    每条消息都得到回复\n",
    ))
    .unwrap();
    assert_eq!(s.title, "A message gets its reply");
    assert_eq!(s.title_zh, "每条消息都得到回复");
}

#[test]
fn an_english_only_map_is_english() {
    let s = load(&with_title("title: { en: A message gets its reply }")).unwrap();
    assert_eq!(s.title, "A message gets its reply");
    assert_eq!(s.title(true), "A message gets its reply");
}

#[test]
fn a_number_is_not_a_title() {
    let e = load(&with_title("title: 42")).unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    assert!(e.column >= 1, "{e}");
    let shown = e.to_string();
    assert!(shown.contains("t.yaml:2:"), "{shown}");
    assert!(
        shown.contains("the title as text, or as { en: ..., zh: ... }"),
        "{shown}"
    );
}

#[test]
fn a_list_is_not_a_title() {
    let e = load(&with_title("title: [a, b]")).unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    assert!(e.to_string().contains("t.yaml:2:"), "{e}");
}

#[test]
fn an_unknown_language_is_an_error_at_its_key() {
    let e = load(&with_title("title: { en: Hello, fr: Bonjour }")).unwrap_err();
    assert_eq!((e.line, e.column), (2, 21), "{e}");
    let shown = e.to_string();
    assert!(shown.contains("t.yaml:2:21"), "{shown}");
    assert!(shown.contains("unknown key `fr`"), "{shown}");
    assert!(shown.contains("en, zh"), "{shown}");
}

#[test]
fn a_misspelt_language_gets_a_suggestion() {
    let e = load(&with_title("title:\n  en: Hello\n  zhh: 你好")).unwrap_err();
    assert_eq!((e.line, e.column), (4, 3), "{e}");
    assert!(e.to_string().contains("did you mean `zh`?"), "{e}");
}

#[test]
fn a_chinese_title_needs_its_english_half() {
    let e = load(&with_title("title: { zh: 每条消息都得到回复 }")).unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    let shown = e.to_string();
    assert!(shown.contains("t.yaml:2:"), "{shown}");
    assert!(shown.contains("no English text"), "{shown}");
}

#[test]
fn a_title_is_required() {
    let text = with_title("").replace("\n\n", "\n");
    let e = load(&text).unwrap_err();
    assert!(e.to_string().contains("title"), "{e}");
}

//! The built-in suite (the `scenarios/` folder the binary compiles in)
//! loads with the loader alone, and every text a student reads of it, its
//! title, concept and hint, is there in Chinese too: with `--lang zh`,
//! nothing a user reads is English.

use std::path::PathBuf;

use sockspec_model::{Scenario, load_paths};

fn builtin_suite() -> Vec<Scenario> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let (scenarios, errors) = load_paths(&[dir]);
    assert!(
        errors.is_empty(),
        "the built-in suite does not load:\n{}",
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        scenarios.len() >= 40,
        "only {} scenarios loaded",
        scenarios.len()
    );
    scenarios
}

fn has_han(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}'))
}

#[test]
fn every_builtin_title_concept_and_hint_has_a_chinese_text() {
    let mut missing = Vec::new();
    for s in builtin_suite() {
        let texts = [
            ("title", s.title_zh.as_str()),
            ("concept", s.concept_zh.as_str()),
            ("hint", s.hint.zh.as_str()),
        ];
        for (what, zh) in texts {
            if zh.trim().is_empty() {
                missing.push(format!("{} ({}): no Chinese {what}", s.id, s.file));
            } else if !has_han(zh) {
                missing.push(format!(
                    "{} ({}): the Chinese {what} has no Chinese characters: {zh:?}",
                    s.id, s.file
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} text(s) of the built-in scenarios lack Chinese:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn every_builtin_title_has_its_english_text_and_picks_by_language() {
    for s in builtin_suite() {
        assert!(!s.title.trim().is_empty(), "{}: no English title", s.id);
        assert!(!has_han(&s.title), "{}: Chinese in the English title", s.id);
        assert_eq!(s.title(false), s.title, "{}", s.id);
        assert_eq!(s.title(true), s.title_zh, "{}", s.id);
    }
}

#[test]
fn builtin_titles_are_one_line() {
    for s in builtin_suite() {
        for t in [&s.title, &s.title_zh] {
            assert!(!t.contains('\n'), "{}: title on several lines: {t:?}", s.id);
        }
    }
}

//! Every built-in scenario teaches in both languages of the course's
//! students: its concept and its hint, in English and in Chinese.

use std::path::PathBuf;

/// Han characters, CJK punctuation and full-width forms: what a Chinese
/// text is made of, and what an English one must not contain (a stray
/// "，" or "粘包" in the English text is a text left half-translated).
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303f}'   // CJK symbols and punctuation: 。、「」
        | '\u{3400}'..='\u{4dbf}' // extension A
        | '\u{4e00}'..='\u{9fff}' // unified ideographs
        | '\u{f900}'..='\u{faff}' // compatibility ideographs
        | '\u{ff00}'..='\u{ffef}' // full-width forms: ，：（）
        | '\u{20000}'..='\u{2ffff}')
}

fn has_han(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}'))
}

#[test]
fn every_builtin_scenario_has_concept_and_hint_in_english_and_chinese() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let (scenarios, errors) = sockspec_model::load_paths(&[dir]);
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

    let mut problems = Vec::new();
    for s in &scenarios {
        let texts = [
            ("concept.en", s.concept.as_str(), false),
            ("concept.zh", s.concept_zh.as_str(), true),
            ("hint.en", s.hint.en.as_str(), false),
            ("hint.zh", s.hint.zh.as_str(), true),
        ];
        for (name, text, chinese) in texts {
            if text.trim().is_empty() {
                problems.push(format!("{}: {name} is missing or empty", s.file));
            } else if chinese && !has_han(text) {
                problems.push(format!("{}: {name} has no Chinese characters", s.file));
            } else if !chinese {
                let cjk: String = text.chars().filter(|&c| is_cjk(c)).collect();
                if !cjk.is_empty() {
                    problems.push(format!(
                        "{}: {name} contains CJK characters: {cjk:?}",
                        s.file
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in the built-in scenarios' texts:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_cjk_check_tells_the_languages_apart() {
    assert!(has_han("recv() 返回 b'' 说明客户端已经断开"));
    assert!(!has_han("recv() returns b''"));
    assert!("sticky packets，".chars().any(is_cjk));
    assert!("UDP 不会有粘包".chars().any(is_cjk));
    assert!(!"socket → bind → listen — “quoted” 'b'".chars().any(is_cjk));
}

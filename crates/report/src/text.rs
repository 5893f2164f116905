//! Small tools for putting text on a terminal: how wide it is (a CJK
//! character takes two columns), wrapping it (the course notes quoted in the
//! concepts are Chinese, with no spaces to break at), shortening a long value
//! by its middle (a 64 KB datagram must not bury the report), and making
//! control characters visible (a target's output may carry escape codes).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns `s` takes on a terminal.
pub(crate) fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Greedy word wrap to `max` columns. Lines break at spaces, and also
/// between CJK characters (never before closing punctuation such as `，`, nor
/// after opening punctuation). A word wider than `max` stays whole.
pub(crate) fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in glued(text) {
        for (k, piece) in pieces(&word).into_iter().enumerate() {
            let space = usize::from(k == 0 && !line.is_empty());
            let w = width(piece);
            if !line.is_empty() && used + space + w > max {
                lines.push(std::mem::take(&mut line));
                used = 0;
            } else if space == 1 {
                line.push(' ');
                used += 1;
            }
            line.push_str(piece);
            used += w;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The words of `text`, an arrow kept with both its neighbours
/// (`127.0.0.1:40001 ← 127.0.0.1:51234` is one address pair) and a dash
/// with the word before it, so that no line starts with either.
fn glued(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut glue_next = false;
    for w in text.split_whitespace() {
        let arrow = w == "←" || w == "→";
        match words.last_mut() {
            Some(last) if arrow || glue_next || w == "—" => {
                last.push(' ');
                last.push_str(w);
            }
            _ => words.push(w.to_owned()),
        }
        glue_next = arrow;
    }
    words
}

/// Cuts a word into the pieces a line may break between.
fn pieces(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev = None;
    for (i, c) in word.char_indices() {
        if prev.is_some_and(|p| breakable(p, c)) {
            out.push(&word[start..i]);
            start = i;
        }
        prev = Some(c);
    }
    out.push(&word[start..]);
    out
}

const CLOSING: &str = "，。、；：！？）」』》〉”’";
const OPENING: &str = "（「『《〈“‘";

fn is_wide(c: char) -> bool {
    c.width() == Some(2)
}

/// Whether a line may break between `prev` and `next` inside one word.
fn breakable(prev: char, next: char) -> bool {
    let wide_or_alnum = |c: char| is_wide(c) || c.is_alphanumeric();
    (is_wide(prev) || is_wide(next))
        && wide_or_alnum(prev)
        && wide_or_alnum(next)
        && !CLOSING.contains(next)
        && !OPENING.contains(prev)
}

/// `s` if it fits in `max` columns; else its start and its end joined by
/// ` … `, so that both the beginning and the closing part stay readable.
pub(crate) fn elide(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    let room = max.saturating_sub(3);
    let tail_room = room / 3;
    let head = take_columns(s.chars(), room - tail_room);
    let tail: String = take_columns(s.chars().rev(), tail_room)
        .chars()
        .rev()
        .collect();
    format!("{head} … {tail}")
}

fn take_columns(chars: impl Iterator<Item = char>, max: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in chars {
        let w = c.width().unwrap_or(0);
        if used + w > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out
}

/// `s` with control characters other than tab written as escapes (`\u{1b}`),
/// so that a target's output cannot move the cursor or recolour the report.
pub(crate) fn printable(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\t') {
        return s.to_owned();
    }
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `1 error`, `2 errors`.
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_and_width() {
        let text = "one two three four five six seven eight nine ten";
        let lines = wrap(text, 14);
        assert!(lines.iter().all(|l| l.len() <= 14), "{lines:?}");
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn wrap_breaks_chinese_between_characters_by_columns() {
        let text = "(notes: \"一个监听套接字可以同时连多个客户端，也能重复被连接\"). accept() belongs in a loop";
        let lines = wrap(text, 20);
        assert!(lines.iter().all(|l| width(l) <= 20), "{lines:?}");
        assert!(lines.iter().all(|l| !l.starts_with('，')), "{lines:?}");
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        assert_eq!(squeeze(&lines.concat()), squeeze(text));
    }

    #[test]
    fn wrap_keeps_arrows_and_dashes_with_their_words() {
        let text = "blocked in recv() on 127.0.0.1:40001 ← 127.0.0.1:51234 — both";
        let lines = wrap(text, 38);
        assert_eq!(
            lines,
            [
                "blocked in recv() on",
                "127.0.0.1:40001 ← 127.0.0.1:51234 —",
                "both"
            ]
        );
    }

    #[test]
    fn wrap_keeps_a_long_word_whole() {
        assert_eq!(wrap("a verylongword b", 4), ["a", "verylongword", "b"]);
    }

    #[test]
    fn elide_keeps_both_ends_within_the_width() {
        let s = "0123456789".repeat(10);
        let e = elide(&s, 30);
        assert!(width(&e) <= 30, "{e}");
        assert!(e.starts_with("0123") && e.ends_with("6789") && e.contains(" … "));
        assert_eq!(elide("short", 30), "short");
        assert!(width(&elide(&"你".repeat(100), 30)) <= 30);
    }

    #[test]
    fn printable_escapes_control_characters() {
        assert_eq!(printable("\x1b[31mred\tx\r"), "\\u{1b}[31mred\tx\\r");
    }
}

//! How bytes are shown, under a failure and in the timeline alike: quoted
//! text, or hex when they are not UTF-8 (beside it what they read as in
//! GBK, when that is Chinese), long values by their two ends, always with
//! the byte count. It is apart from the block because the timeline shows
//! every message it holds the same way, and because telling text from
//! binary (UTF-8 cut inside a character, GBK that holds Chinese) is a
//! question of its own, not one of what the block is made of.

use crate::Lang;
use crate::text::{count, elide, width};

/// Values up to this many bytes are shown whole; longer ones by their ends.
const VALUE_BYTES: usize = 96;

/// Bytes as the reports show them: quoted text, or hex when not UTF-8,
/// long values by their two ends, always with the byte count (TCP and UDP
/// are about bytes, and `"收到"` is 6 of them). `b` may be the start of
/// `total` bytes (a timeline keeps the first 256); values are shortened to
/// `max` columns unless `max` is `usize::MAX`.
pub(crate) fn bytes(b: &[u8], total: usize, max: usize, lang: Lang) -> String {
    let full = max == usize::MAX;
    let n = b.len();
    let size = match lang {
        Lang::En => count(total, "byte"),
        Lang::Zh => format!("{total} 字节"),
    };
    if total == 0 {
        return lang
            .pick("nothing (0 bytes)", "没有数据（0 字节）")
            .to_owned();
    }
    let cut = total > n;
    // A kept start may end inside a character; the text before it is text.
    let text = match std::str::from_utf8(b) {
        Ok(text) => Some(text),
        Err(e) if cut && e.error_len().is_none() => std::str::from_utf8(&b[..e.valid_up_to()]).ok(),
        Err(_) => None,
    };
    match text {
        Some(text) => {
            let n = text.len();
            let mut shown = if full || n <= VALUE_BYTES {
                format!("{text:?}")
            } else {
                let head = &text[..floor_boundary(text, 64)];
                let tail = &text[ceil_boundary(text, n - 24)..];
                format!("{head:?} … {tail:?}")
            };
            if cut {
                shown.push_str(" …");
            }
            // A quoted CJK run can still be wider than it is long.
            let shown = if full || width(&shown) <= max {
                shown
            } else {
                elide(&shown, max)
            };
            match lang {
                Lang::En => format!("{shown} ({size})"),
                Lang::Zh => format!("{shown}（{size}）"),
            }
        }
        None => {
            let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
            let mut shown = if full || n <= VALUE_BYTES / 2 {
                hex(b)
            } else {
                format!("{} … {}", hex(&b[..32]), hex(&b[n - 8..]))
            };
            if cut {
                shown.push_str(" …");
            }
            // Homework of this course often encodes Chinese as GBK: bytes
            // that read as GBK with Chinese in them are shown so as well,
            // beside the exact hex.
            let gbk = gbk_text(b).map(|t| {
                let t = if full || width(&t) <= 48 {
                    t
                } else {
                    elide(&t, 48)
                };
                format!("{t:?}")
            });
            match (lang, gbk) {
                (Lang::En, None) => format!("hex {shown} ({size}, not UTF-8)"),
                (Lang::Zh, None) => format!("十六进制 {shown}（{size}，不是 UTF-8）"),
                (Lang::En, Some(t)) => {
                    format!("hex {shown} ({size}, not UTF-8; as GBK: {t})")
                }
                (Lang::Zh, Some(t)) => {
                    format!("十六进制 {shown}（{size}，不是 UTF-8；按 GBK 解读：{t}）")
                }
            }
        }
    }
}

/// The bytes as GBK text, when they are valid GBK and hold Chinese (many
/// binary strings are valid GBK too; the Chinese is what says it is text).
fn gbk_text(b: &[u8]) -> Option<String> {
    // UTF-8 cut inside a character is UTF-8, not GBK.
    if std::str::from_utf8(b).is_err_and(|e| e.error_len().is_none()) {
        return None;
    }
    let text = encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(b)?;
    let chinese = text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let printable = text
        .chars()
        .all(|c| !c.is_control() || c == '\n' || c == '\r' || c == '\t');
    (chinese && printable).then(|| text.into_owned())
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

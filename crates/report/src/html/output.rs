//! What the program printed, as a page shows it: its real lines in a
//! wrapping block, and no more of them than a reader scrolls through. A
//! program that floods its output (a print in a busy loop) must not make
//! a page of megabytes that a phone cannot open, so the block keeps the end
//! (where a traceback lands) within a number of lines and of bytes, and
//! says above it how much came before: the lines the page leaves out, and
//! what the capture itself never kept.

use crate::Lang;
use crate::evidence::Output;

use super::markup::esc;

/// Lines of each output shown: a page has room for more than a terminal.
pub(super) const LINES: usize = 40;
/// Bytes of each output shown, whatever the number of lines.
const BYTES: usize = 16 * 1024;

/// One output's heading, note and block.
pub(super) fn block(h: &mut String, o: &Output, lang: Lang) {
    if o.total == 0 && o.dropped == 0 {
        h.push_str(&format!(
            "<h3>{}</h3>\n<p class=\"none\">{}</p>\n",
            o.name,
            lang.pick("(nothing)", "（没有输出）")
        ));
        return;
    }
    // The lines kept, from the end, within the byte budget (always the
    // last one, which an elided line keeps short).
    let mut used = 0;
    let keep = o
        .lines
        .iter()
        .rev()
        .take_while(|l| {
            used += l.len() + 1;
            used <= BYTES
        })
        .count()
        .max(1)
        .min(o.lines.len());
    let cut = &o.lines[..o.lines.len() - keep];
    let hidden_lines = o.total - keep;
    let hidden_bytes = o.hidden_bytes + cut.iter().map(|l| l.len() + 1).sum::<usize>();
    h.push_str(&format!("<h3>{}</h3>\n", o.name));
    if let Some(note) = note(hidden_lines, hidden_bytes, o.dropped, keep, lang) {
        h.push_str(&format!("<p class=\"cut\">{}</p>\n", esc(&note)));
    }
    h.push_str(&format!(
        "<pre class=\"output\">{}</pre>\n",
        esc(&o.lines[o.lines.len() - keep..].join("\n"))
    ));
}

/// What the block leaves out, when it leaves something out: `lines` lines
/// of `bytes` the page does not show, `dropped` bytes before them the
/// capture did not keep; `shown` lines follow.
fn note(lines: usize, bytes: usize, dropped: usize, shown: usize, lang: Lang) -> Option<String> {
    let mut parts = Vec::new();
    if lines > 0 {
        parts.push(match lang {
            Lang::En => format!(
                "{lines} earlier line{} ({}) not shown; these are the last {shown}.",
                if lines == 1 { "" } else { "s" },
                size(bytes, lang)
            ),
            Lang::Zh => format!(
                "前面还有 {lines} 行（{}）没有显示，这里是最后 {shown} 行。",
                size(bytes, lang)
            ),
        });
    }
    if dropped > 0 {
        parts.push(match lang {
            Lang::En => format!(
                "Before them the program printed {} more, which the harness did not keep.",
                size(dropped, lang)
            ),
            Lang::Zh => format!(
                "再往前程序还输出了 {}，测试端没有保留。",
                size(dropped, lang)
            ),
        });
    }
    (!parts.is_empty()).then(|| parts.join(lang.pick(" ", "")))
}

/// `812 bytes`, `56.2 KiB`, `2.1 MiB`.
fn size(bytes: usize, lang: Lang) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if bytes < 1024 {
        match lang {
            Lang::En if bytes == 1 => "1 byte".to_owned(),
            Lang::En => format!("{bytes} bytes"),
            Lang::Zh => format!("{bytes} 字节"),
        }
    } else if b < KIB * KIB {
        format!("{:.1} KiB", b / KIB)
    } else {
        format!("{:.1} MiB", b / KIB / KIB)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(total: usize, hidden_bytes: usize, dropped: usize, lines: Vec<String>) -> Output {
        Output {
            name: "stdout",
            total,
            lines,
            hidden_bytes,
            dropped,
        }
    }

    fn page(o: &Output, lang: Lang) -> String {
        let mut h = String::new();
        block(&mut h, o, lang);
        h
    }

    #[test]
    fn a_short_output_is_shown_whole_without_a_note() {
        let o = output(2, 0, 0, vec!["a".into(), "<b>".into()]);
        assert_eq!(
            page(&o, Lang::En),
            "<h3>stdout</h3>\n<pre class=\"output\">a\n&lt;b&gt;</pre>\n"
        );
    }

    #[test]
    fn a_long_output_says_how_much_came_before_in_both_languages() {
        let lines: Vec<String> = (0..LINES).map(|i| format!("line {i}")).collect();
        let o = output(1000, 9000, 3 * 1024 * 1024, lines);
        let en = page(&o, Lang::En);
        assert!(
            en.contains(
                "<p class=\"cut\">960 earlier lines (8.8 KiB) not shown; these are the last 40. \
                 Before them the program printed 3.0 MiB more, which the harness did not keep.</p>"
            ),
            "{en}"
        );
        let zh = page(&o, Lang::Zh);
        assert!(
            zh.contains(
                "前面还有 960 行（8.8 KiB）没有显示，这里是最后 40 行。再往前程序还输出了 3.0 MiB，测试端没有保留。"
            ),
            "{zh}"
        );
    }

    #[test]
    fn the_block_keeps_within_its_bytes_however_long_the_lines() {
        let lines: Vec<String> = (0..LINES).map(|_| "x".repeat(1000)).collect();
        let o = output(LINES, 0, 0, lines);
        let h = page(&o, Lang::En);
        let block = &h[h.find("<pre").unwrap()..];
        assert!(block.len() < BYTES + 100, "{}", block.len());
        assert!(h.contains("24 earlier lines (23.5 KiB) not shown; these are the last 16."));
        // Nothing captured, nothing printed.
        assert!(page(&output(0, 0, 0, vec![]), Lang::Zh).contains("（没有输出）"));
        assert_eq!(size(1, Lang::En), "1 byte");
        assert_eq!(size(1023, Lang::Zh), "1023 字节");
    }
}

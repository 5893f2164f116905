//! What every page of sockspec has in common: the escaping that keeps a
//! program's output text and never markup, the ids sections are linked by
//! (from a page's own list of failures and from the class dashboard), and
//! the look, inline so that a page stands alone.

use crate::text::printable;

const STYLE: &str = "\
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#59636e;--box:#f6f8fa;--line:#d1d9e0;\
--pass:#1a7f37;--fail:#cf222e;--error:#a40e26;--warn:#9a6700;--skip:#6e7781;--flaky:#8250df}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--box:#161b22;\
--line:#3d444d;--pass:#3fb950;--fail:#f85149;--error:#ff7b72;--warn:#d29922;--skip:#9198a1;--flaky:#ab7df8}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:52rem;padding:1rem;color:var(--fg);background:var(--bg);\
font:16px/1.55 system-ui,-apple-system,\"Segoe UI\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.05rem;margin:0}h3{font-size:.95rem;margin:1rem 0 .3rem}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
code{overflow-wrap:anywhere}
pre{margin:0;padding:.5rem .7rem;background:var(--box);border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .8rem;margin:.5rem 0}
dt{color:var(--muted)}dd{margin:0;min-width:0;overflow-wrap:anywhere}
@media (max-width:36rem){dl{grid-template-columns:1fr}dd{margin-bottom:.3rem}}
.summary{padding:.6rem .8rem;border:1px solid var(--line);border-radius:6px}
.summary p{margin:.2rem 0}
nav ul{margin:.3rem 0;padding-left:1.2rem}
section{margin:1rem 0;padding:.5rem .8rem;border-left:4px solid var(--c);background:var(--bg)}
section.pass,section.skip{padding:.2rem .8rem;margin:.4rem 0}
.label{display:inline-block;min-width:4.2em;padding:0 .4em;margin-right:.4em;border-radius:4px;\
color:#fff;background:var(--c);text-align:center;font-weight:600;font-size:.85em}
.meta{margin:.1rem 0;color:var(--muted);font-size:.9em}
.reason{margin:.4rem 0;color:var(--c);font-weight:600;white-space:pre-line}
.verdict{font-weight:600;color:var(--c)}
ul.diagnoses{margin:.2rem 0;padding-left:1.2rem}ul.diagnoses li{margin:.2rem 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.9em}
td,th{padding:.1rem .6rem .1rem 0;text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:normal}td.ms{text-align:right;white-space:nowrap}
td.who{white-space:nowrap}
.none{color:var(--muted)}
.pass{--c:var(--pass)}.fail{--c:var(--fail)}.error{--c:var(--error)}.warn{--c:var(--warn)}\
.skip{--c:var(--skip)}.flaky{--c:var(--flaky)}
p.cut{margin:.2rem 0;color:var(--muted);font-size:.9em;font-style:italic}
figure.seq{margin:.4rem 0}figure.seq svg{display:block;width:100%;height:auto}
.seq text{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:var(--fg)}
.seq text.at{fill:var(--muted);text-anchor:end}.seq text.lane{font-weight:600;text-anchor:middle}
.seq rect{fill:var(--box);stroke:var(--line)}.seq .life{stroke:var(--line);stroke-dasharray:4 4}
.seq .arrow line,.seq .arrow path{stroke:var(--c);stroke-width:1.5;fill:none}.seq .arrow polygon{fill:var(--c)}
.seq .to-program{--c:var(--fg)}.seq .to-harness{--c:var(--peer)}.seq .within{--c:var(--muted)}
.seq .within text.what{fill:var(--muted)}
:root{--peer:#0969da}@media (prefers-color-scheme:dark){:root{--peer:#4493f8}}
.bars rect{fill:var(--peer)}.bars text{font-size:12px;fill:var(--fg)}.bars text.n{text-anchor:middle}
.bars text.x{text-anchor:middle;fill:var(--muted)}.bars line{stroke:var(--line)}
td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.who a{margin-right:.4em}
";

/// The page's start, up to and with `<body>`: its language, its title
/// (escaped here), the viewport a phone needs, the style.
pub(super) fn head(lang: crate::Lang, title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        lang.pick("en", "zh-CN"),
        esc(title)
    )
}

/// `s` as HTML text: markup characters escaped, control characters made
/// visible (a program's output may carry escape codes), line ends kept as
/// line ends: a traceback in a `<pre>` reads as lines, not as one line
/// of `\n`.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let lines: Vec<String> = s.split('\n').map(printable).collect();
    for c in lines.join("\n").chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An element id for a scenario id: letters, digits and dashes only.
pub(super) fn anchor(id: &str) -> String {
    let mut out = String::from("s-");
    out.extend(
        id.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_control_characters_shown() {
        assert_eq!(
            esc("<script>alert('x') & \"y\"</script>\x1b[31m"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;\\u{1b}[31m"
        );
    }

    #[test]
    fn output_keeps_its_lines() {
        assert_eq!(esc("a <b>\n\tc\r\n"), "a &lt;b&gt;\n\tc\\r\n");
    }

    #[test]
    fn anchors_are_plain() {
        assert_eq!(anchor("tcp-server/peer-exit"), "s-tcp-server-peer-exit");
        assert_eq!(anchor("a\"><b"), "s-a---b");
    }
}

//! The exchange of a failed scenario as the picture the course draws on
//! the whiteboard: a lane for each connection or socket of the harness on
//! the left, the program's lane on the right, and an arrow per line of the
//! timeline, going the way it crossed the wire, with its time and what it
//! carried. It is drawn from the very rows the timeline table shows (the
//! table stays, for screen readers and for copying), so the two cannot
//! disagree; a line that crossed nothing (the program starting, a wait
//! that ran out) loops on its own lane.
//!
//! Inline SVG, no script: it scales with the page and prints.

use crate::Lang;
use crate::text::width;
use crate::timeline::{Flow, Lane, Row};

use super::markup::esc;

/// The drawing's width in its own units; it is scaled to the page.
const WIDTH: f64 = 800.0;
/// Where the times end, at the left.
const TIME_X: f64 = 62.0;
/// The first harness lane.
const FIRST_LANE: f64 = 120.0;
/// The room the harness lanes share.
const LANES_ROOM: f64 = 330.0;
/// The program's lane.
const PROGRAM_X: f64 = 740.0;
/// The lane headings' band.
const TOP: f64 = 44.0;
/// One arrow's height.
const ROW: f64 = 34.0;
/// An estimate of one column of the 12 px monospace font, so that a label
/// longer than its room is squeezed into it rather than run over a lane.
const COLUMN: f64 = 7.3;
/// How far a loop reaches out of its lane.
const LOOP: f64 = 20.0;

/// The diagram of `rows`, with `id` (unique in the page) naming its title.
pub(super) fn diagram(h: &mut String, rows: &[Row], id: &str, lang: Lang) {
    let lanes = lanes(rows);
    let spacing = if lanes.is_empty() {
        0.0
    } else {
        (LANES_ROOM / lanes.len() as f64).min(110.0)
    };
    let x_of = |lane: &Lane| match lane {
        Lane::Program => PROGRAM_X,
        Lane::Harness(_) => {
            let i = lanes.iter().position(|(l, _)| l == lane).unwrap_or(0);
            FIRST_LANE + i as f64 * spacing
        }
    };
    let height = TOP + 24.0 + rows.len() as f64 * ROW;
    let title = title(&lanes, rows.len(), lang);
    h.push_str(&format!(
        "<figure class=\"seq\"><svg viewBox=\"0 0 {WIDTH} {height}\" \
         role=\"img\" aria-labelledby=\"{id}\">\n<title id=\"{id}\">{}</title>\n",
        esc(&title)
    ));
    // The lanes: a heading and a dashed life line each.
    let program = lang.pick("program", "程序");
    let headings = lanes
        .iter()
        .map(|(lane, name)| (x_of(lane), name.as_str(), spacing - 8.0))
        .chain([(PROGRAM_X, program, 110.0)]);
    for (x, name, room) in headings {
        let room = room.min(100.0);
        h.push_str(&format!(
            "<line class=\"life\" x1=\"{x}\" y1=\"30\" x2=\"{x}\" y2=\"{}\"/>\n\
             <rect x=\"{}\" y=\"6\" width=\"{room}\" height=\"24\" rx=\"4\"/>\n\
             <text class=\"lane\" x=\"{x}\" y=\"23\"{}>{}</text>\n",
            height - 4.0,
            x - room / 2.0,
            squeeze(name, room - 8.0),
            esc(name)
        ));
    }
    let rightmost = lanes.last().map_or(FIRST_LANE, |(lane, _)| x_of(lane));
    for (i, r) in rows.iter().enumerate() {
        let y = TOP + 20.0 + i as f64 * ROW;
        let x = x_of(&r.lane);
        let (class, shape, label_x, anchor, room) = match (r.flow, &r.lane) {
            (Flow::ToProgram, _) => (
                "to-program",
                straight(x, PROGRAM_X, y),
                x + 8.0,
                "start",
                PROGRAM_X - x - 16.0,
            ),
            (Flow::ToHarness, _) => (
                "to-harness",
                straight(PROGRAM_X, x, y),
                x + 8.0,
                "start",
                PROGRAM_X - x - 16.0,
            ),
            (Flow::Within, Lane::Program) => (
                "within",
                own(x, -1.0, y),
                x - LOOP - 8.0,
                "end",
                x - LOOP - 16.0 - rightmost,
            ),
            (Flow::Within, Lane::Harness(_)) => (
                "within",
                own(x, 1.0, y),
                x + LOOP + 8.0,
                "start",
                PROGRAM_X - x - LOOP - 16.0,
            ),
        };
        let label_y = if r.flow == Flow::Within { y } else { y - 6.0 };
        h.push_str(&format!(
            "<g class=\"arrow {class}\">{shape}\
             <text class=\"at\" x=\"{TIME_X}\" y=\"{}\">{} ms</text>\
             <text class=\"what\" x=\"{label_x}\" y=\"{label_y}\" text-anchor=\"{anchor}\"{}>{}</text></g>\n",
            y + 4.0,
            r.at_ms,
            squeeze(&r.what, room),
            esc(&r.what)
        ));
    }
    h.push_str("</svg></figure>\n");
}

/// The harness's lanes in the order they first act, with their names as
/// the table says them ("harness a").
fn lanes(rows: &[Row]) -> Vec<(Lane, String)> {
    let mut lanes: Vec<(Lane, String)> = Vec::new();
    for r in rows {
        if r.lane != Lane::Program && !lanes.iter().any(|(l, _)| *l == r.lane) {
            lanes.push((r.lane.clone(), r.actor.clone()));
        }
    }
    lanes
}

/// An arrow from `from` to `to` at height `y`, its head at `to`.
fn straight(from: f64, to: f64, y: f64) -> String {
    let dir = if to > from { 1.0 } else { -1.0 };
    let back = to - dir * 8.0;
    format!(
        "<line x1=\"{from}\" y1=\"{y}\" x2=\"{back}\" y2=\"{y}\"/>\
         <polygon points=\"{to},{y} {back},{} {back},{}\"/>",
        y - 4.0,
        y + 4.0
    )
}

/// A loop out of the lane at `x` (to the right for `side` 1, the left for
/// -1) and back, its head on the lane.
fn own(x: f64, side: f64, y: f64) -> String {
    let out = x + side * LOOP;
    let (top, bottom) = (y - 8.0, y + 6.0);
    let back = x + side * 8.0;
    format!(
        "<path d=\"M{x},{top} H{out} V{bottom} H{back}\"/>\
         <polygon points=\"{x},{bottom} {back},{} {back},{}\"/>",
        bottom - 4.0,
        bottom + 4.0
    )
}

/// A `textLength` that fits `text` into `room` when it would not fit.
fn squeeze(text: &str, room: f64) -> String {
    let room = room.max(40.0);
    if width(text) as f64 * COLUMN > room {
        format!(" textLength=\"{room:.0}\" lengthAdjust=\"spacingAndGlyphs\"")
    } else {
        String::new()
    }
}

/// What the picture shows, for those who cannot see it.
fn title(lanes: &[(Lane, String)], events: usize, lang: Lang) -> String {
    let names: Vec<&str> = lanes.iter().map(|(_, n)| n.as_str()).collect();
    match lang {
        Lang::En => format!(
            "Sequence diagram of the exchange: {}the program, {events} event{} (the timeline table lists them)",
            if names.is_empty() {
                String::new()
            } else {
                format!("{} and ", names.join(", "))
            },
            if events == 1 { "" } else { "s" }
        ),
        Lang::Zh => {
            let names = names.join("、");
            // A space after a Latin letter ("测试端 a 与"), none after Chinese.
            let gap = if names.ends_with(|c: char| c.is_ascii_alphanumeric()) {
                " "
            } else {
                ""
            };
            let with = if names.is_empty() {
                String::new()
            } else {
                format!("{names}{gap}与")
            };
            format!("交互过程的时序图：{with}程序之间的 {events} 个事件（时间线表格逐条列出）")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(at_ms: u128, lane: Lane, flow: Flow, what: &str) -> Row {
        let actor = match &lane {
            Lane::Program => "program".to_owned(),
            Lane::Harness(n) => format!("harness {n}"),
        };
        Row {
            at_ms,
            actor,
            what: what.into(),
            lane,
            flow,
        }
    }

    fn a() -> Lane {
        Lane::Harness("a".into())
    }

    #[test]
    fn an_arrow_per_row_the_way_it_went() {
        let rows = [
            row(0, Lane::Program, Flow::Within, "started: python3 s.py"),
            row(5, a(), Flow::ToProgram, "→ \"hi\\n\" (3 bytes)"),
            row(9, a(), Flow::ToHarness, "← \"<ok>\" (4 bytes)"),
            row(11, Lane::Harness("b".into()), Flow::ToProgram, "connected"),
        ];
        let mut h = String::new();
        diagram(&mut h, &rows, "seq-x", Lang::En);
        assert_eq!(h.matches("<g class=\"arrow").count(), 4, "{h}");
        assert!(h.contains("role=\"img\" aria-labelledby=\"seq-x\""));
        assert!(h.contains(
            "<title id=\"seq-x\">Sequence diagram of the exchange: harness a, harness b and the program, 4 events"
        ));
        // The harness's bytes go right, to the program at 740; the reply
        // comes back left to harness a at 120.
        assert!(h.contains("<g class=\"arrow to-program\"><line x1=\"120\" y1=\"98\" x2=\"732\""));
        assert!(h.contains("<g class=\"arrow to-harness\"><line x1=\"740\" y1=\"132\" x2=\"128\""));
        assert!(
            h.contains(">← &quot;&lt;ok&gt;&quot; (4 bytes)</text>"),
            "{h}"
        );
        assert!(h.contains(">9 ms</text>"));
        // Lane b sits right of lane a.
        assert!(
            h.contains("<text class=\"lane\" x=\"230\" y=\"23\">harness b</text>"),
            "{h}"
        );
    }

    #[test]
    fn a_label_too_long_for_its_room_is_squeezed_into_it() {
        assert_eq!(squeeze("short", 300.0), "");
        assert_eq!(
            squeeze(&"x".repeat(100), 300.0),
            " textLength=\"300\" lengthAdjust=\"spacingAndGlyphs\""
        );
        // Chinese takes two columns a character.
        assert!(!squeeze(&"程".repeat(30), 300.0).is_empty());
    }

    #[test]
    fn the_title_reads_in_chinese() {
        let lanes = [(a(), "测试端 a".to_owned())];
        assert_eq!(
            title(&lanes, 3, Lang::Zh),
            "交互过程的时序图：测试端 a 与程序之间的 3 个事件（时间线表格逐条列出）"
        );
    }
}

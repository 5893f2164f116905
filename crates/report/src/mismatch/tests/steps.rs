//! One step or more of every kind, as a scenario file writes it and the
//! loader types it, with one sample per branch of its sentence.

use sockspec_model::Step;

use crate::test_support::typed;

fn each<'a>(role: &'a str, yaml: &'a [&'a str]) -> impl Iterator<Item = Step> + 'a {
    yaml.iter().map(move |y| typed(y, role))
}

pub(super) fn steps() -> Vec<Step> {
    const TCP: &str = "tcp-server";
    const CLIENT: &str = "tcp-client";
    const UDP: &str = "udp-client";
    const HTTP: &str = "http-server";
    const HTTP_CLIENT: &str = "http-client";
    every!(Step {
        Connect => each(TCP, &["connect: d"]),
        Send => each(
            TCP,
            &[
                r#"send: { to: a, text: "hello" }"#,
                r#"send: { to: a, hex: "fffe" }"#,
                r#"send: { to: a, messages: ["one", "two"], chunks: [1, 2], close: true }"#,
                r#"send: { to: a, text: "hello", queued: true }"#,
            ],
        ),
        ExpectReply => each(
            TCP,
            &["expect_reply: { from: a }", "expect_reply: { from: a, count: 2 }"],
        ),
        ExpectEof => each(TCP, &["expect_eof: a"]),
        ExpectReset => each(TCP, &["expect_reset: a"]),
        ExpectClosed => each(TCP, &["expect_closed: c"]),
        Shutdown => each(TCP, &["shutdown: a"]),
        Close => each(TCP, &["close: a"]),
        Abort => each(TCP, &["abort: a"]),
        ExpectAlive => each(TCP, &["expect_alive"]),
        ExpectExit => each(TCP, &["expect_exit: { code: 0 }", "expect_exit: {}"]),
        Kill => each(TCP, &["kill"]),
        Restart => each(TCP, &["restart"]),
        Start => each(UDP, &["start"]),
        Stdin => each(UDP, &[r#"stdin: "hello there""#]),
        Quit => each(UDP, &["quit"]),
        CloseStdin => each(UDP, &["close_stdin"]),
        Accept => each(CLIENT, &["accept: a"]),
        Udp => each("udp-server", &["udp: u"]),
        ExpectMessage => each(CLIENT, &[r#"expect_message: { from: a, text: "hello" }"#])
            .chain(each(UDP, &["expect_message: {}"])),
        Reply => each(CLIENT, &["reply: { to: a }"]).chain(each(UDP, &["reply: { count: 2 }"])),
        ExpectPrinted => each(
            UDP,
            &[r#"expect_printed: { text: "Thanks" }"#, "expect_printed: { replies: 2 }"],
        ),
        ExpectNoTraceback => each(TCP, &["expect_no_traceback"]),
        ExpectBroadcast => each("broadcast-sender", &["expect_broadcast: { count: 2 }"]),
        Broadcast => each("broadcast-receiver", &[r#"broadcast: { text: "hello everyone" }"#]),
        BindBeside => each("broadcast-receiver", &["bind_beside"]),
        Request => each(
            HTTP,
            &[
                "request: { to: a, path: /index.html }",
                r#"request: { to: a, raw: "GET / HTTP/1.0\r\n\r\n", chunks: [3] }"#,
            ],
        ),
        ExpectResponse => each(
            HTTP,
            &["expect_response: { from: a }", "expect_response: { from: a, status: 404 }"],
        ),
        ExpectRequest => each(HTTP_CLIENT, &["expect_request: { from: a }"]),
        Respond => each(
            HTTP_CLIENT,
            &[
                r#"respond: { to: a, body: "<p>hi</p>" }"#,
                r#"respond: { to: a, body: "<p>hi</p>", length: close }"#,
                r#"respond: { to: a, status: 404, body: "<p>no</p>", length: chunked }"#,
            ],
        ),
    })
}

//! Turning a command template into argv: split first, substitute after.

use crate::TargetError;

/// The placeholders a command template may use.
pub const PLACEHOLDERS: [&str; 3] = ["port", "host", "broadcast"];

/// Splits `template` into words the way a POSIX shell would (quotes,
/// backslashes, `#` comments; no expansion of any kind), then replaces the
/// placeholders `{port}`, `{host}` and `{broadcast}` inside each word.
///
/// Substituting after splitting means a value can never add a word or any
/// shell syntax: `'--addr={host}:{port}'` stays one word whatever `host` is,
/// and a `;` is just a character in some word, since no shell runs.
///
/// Only `{name}` where `name` looks like an identifier is a placeholder, so
/// the braces of Python code or JSON in a `-c` argument pass through as they
/// are; `{{name}}` is the escape for a literal `{name}`. An identifier that is
/// not a known placeholder (`{prot}`) is an error that names it.
pub fn split_command(
    template: &str,
    host: &str,
    port: u16,
    broadcast: &str,
) -> Result<Vec<String>, TargetError> {
    let words = shlex::split(template).ok_or_else(|| TargetError::Unbalanced {
        template: template.to_string(),
    })?;
    if words.is_empty() {
        return Err(TargetError::EmptyCommand);
    }
    let port = port.to_string();
    words
        .iter()
        .map(|word| {
            substitute(word, &|name| match name {
                "port" => Some(port.as_str()),
                "host" => Some(host),
                "broadcast" => Some(broadcast),
                _ => None,
            })
        })
        .collect()
}

/// Replaces `{name}` in `word` by `value(name)`; `{{name}}` gives `{name}`.
fn substitute<'v>(
    word: &str,
    value: &dyn Fn(&str) -> Option<&'v str>,
) -> Result<String, TargetError> {
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        if after.starts_with("{{")
            && let Some(name) = braced(&after[1..])
            && after[name.len() + 3..].starts_with('}')
        {
            // `{{name}}`: a literal `{name}`.
            out.push('{');
            out.push_str(name);
            out.push('}');
            rest = &after[name.len() + 4..];
        } else if let Some(name) = braced(after) {
            match value(name) {
                Some(v) => out.push_str(v),
                None => {
                    return Err(TargetError::UnknownPlaceholder {
                        name: name.to_string(),
                        hint: hint(name),
                    });
                }
            }
            rest = &after[name.len() + 2..];
        } else {
            out.push('{');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// If `s` starts with `{ident}`, the identifier.
fn braced(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('{')?;
    let end = inner.find('}')?;
    let name = &inner[..end];
    let mut chars = name.chars();
    let first = chars.next()?;
    let ident = (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    ident.then_some(name)
}

/// The tail of the unknown-placeholder message: the closest known name, if
/// any is close.
fn hint(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let best = PLACEHOLDERS
        .iter()
        .map(|p| (levenshtein(&lower, p), p))
        .min()
        .filter(|(d, p)| *d <= 2.max(p.len() / 3));
    match best {
        Some((_, p)) => format!(", did you mean {{{p}}}?"),
        None => String::new(),
    }
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(t: &str) -> Result<Vec<String>, TargetError> {
        split_command(t, "127.0.0.1", 7777, "127.255.255.255")
    }

    #[test]
    fn plain_template() {
        assert_eq!(
            split("python3 server.py {port}").unwrap(),
            ["python3", "server.py", "7777"]
        );
        assert_eq!(
            split("./client {host} {port} --bcast={broadcast}").unwrap(),
            ["./client", "127.0.0.1", "7777", "--bcast=127.255.255.255"]
        );
    }

    #[test]
    fn placeholder_inside_quoted_word_stays_one_word() {
        assert_eq!(
            split("sh -c 'exec python3 s.py {host} {port}; echo x'").unwrap(),
            ["sh", "-c", "exec python3 s.py 127.0.0.1 7777; echo x"]
        );
        assert_eq!(
            split(r#"prog "a b {port}" c\ d"#).unwrap(),
            ["prog", "a b 7777", "c d"]
        );
    }

    #[test]
    fn values_cannot_inject_words_or_syntax() {
        let words = split_command("prog {host}", "1.2.3.4; rm -rf / 'x'", 1, "b").unwrap();
        assert_eq!(words, ["prog", "1.2.3.4; rm -rf / 'x'"]);
        // A `;` in the template is an argument, not a command separator.
        assert_eq!(
            split("echo {port}; touch x").unwrap(),
            ["echo", "7777;", "touch", "x"]
        );
    }

    #[test]
    fn braces_that_are_not_placeholders_pass_through() {
        assert_eq!(
            split(r#"python3 -c 'd = {"a": {1: 2}}; print(d, {})'"#).unwrap()[2],
            r#"d = {"a": {1: 2}}; print(d, {})"#
        );
        assert_eq!(split("x {{port}} {").unwrap(), ["x", "{port}", "{"]);
        assert_eq!(
            split("x {1} {a-b} {}").unwrap(),
            ["x", "{1}", "{a-b}", "{}"]
        );
    }

    #[test]
    fn unknown_placeholder_is_named() {
        let e = split("python3 s.py {prot}").unwrap_err();
        assert!(matches!(&e, TargetError::UnknownPlaceholder { name, .. } if name == "prot"));
        let msg = e.to_string();
        assert!(
            msg.contains("{prot}") && msg.contains("did you mean {port}"),
            "{msg}"
        );
        let msg = split("s {PORT}").unwrap_err().to_string();
        assert!(msg.contains("did you mean {port}"), "{msg}");
        let msg = split("s {address}").unwrap_err().to_string();
        assert!(!msg.contains("did you mean"), "{msg}");
    }

    #[test]
    fn empty_and_unbalanced() {
        assert!(matches!(split(""), Err(TargetError::EmptyCommand)));
        assert!(matches!(
            split("   # only a comment"),
            Err(TargetError::EmptyCommand)
        ));
        assert!(matches!(
            split("python3 'x"),
            Err(TargetError::Unbalanced { .. })
        ));
        assert!(matches!(
            split("python3 \"x"),
            Err(TargetError::Unbalanced { .. })
        ));
    }

    proptest! {
        /// Whatever the host value, a one-word template gives one word,
        /// the value verbatim.
        #[test]
        fn host_is_always_one_verbatim_word(host in ".*") {
            let words = split_command("prog {host}", &host, 1, "b").unwrap();
            prop_assert_eq!(words, vec!["prog".to_string(), host]);
        }

        /// Quoting any word with shlex and substituting nothing gives it back.
        #[test]
        fn quoted_words_round_trip(words in proptest::collection::vec("[^\0{]*", 1..5)) {
            let template = shlex::try_join(
                std::iter::once("prog").chain(words.iter().map(String::as_str))
            ).unwrap();
            let got = split(&template).unwrap();
            prop_assert_eq!(&got[1..], &words[..]);
        }
    }
}

//! The tests of the command-line scanner ([`super::args`]).

use std::collections::BTreeSet;

use super::*;

#[test]
fn arguments_name_addresses_and_their_ports() {
    let f = scan_args(&["10.16.129.97", "8888"]);
    assert_eq!(
        f.literals,
        BTreeSet::from(["10.16.129.97".parse().unwrap()])
    );
    assert_eq!(
        f.endpoints,
        vec![Endpoint {
            host: "10.16.129.97".into(),
            port: 8888
        }]
    );
    let f = scan_args(&["172.40.71.255", "{port}"]);
    assert_eq!(f.literals.len(), 1);
    assert!(f.endpoints.is_empty());
    let f = scan_args(&["--host=www.python.org", "--port", "80"]);
    assert_eq!(f.names, BTreeSet::from(["www.python.org".to_owned()]));
    let f = scan_args(&["server.example.com:7777"]);
    assert_eq!(f.names, BTreeSet::from(["server.example.com".to_owned()]));
    assert_eq!(
        f.endpoints,
        vec![Endpoint {
            host: "server.example.com".into(),
            port: 7777
        }]
    );
    for quiet in [
        &["{host}", "{port}"][..],
        &["8888"],
        &["index.html"],
        &["-v", "3"],
        &["hello"],
        &["-m", "http.server", "{port}"],
        &["http.server"],
        &["-cp", ".", "com.example.Server"],
        &["com.example.Server", "8888"],
        &["./hw/server.py"],
    ] {
        let f = scan_args(quiet);
        assert!(
            f.literals.is_empty() && f.names.is_empty(),
            "{quiet:?}: {f:?}"
        );
    }
}

//! The tests of the source scanner ([`super::text`]), of host-name
//! recognition ([`super::host`]) and of [`Endpoint`].

use std::net::Ipv4Addr;

use super::host::{host_name, says_host};
use super::*;

fn e(host: &str, port: u16) -> Endpoint {
    Endpoint {
        host: host.into(),
        port,
    }
}

#[test]
fn tuples_and_literals_as_homework_writes_them() {
    let f = scan_text(
        "import socket\nADDR = ('10.16.129.97', 7777)\ns.bind(('0.0.0.0', 8888))\n\
         s.sendto(b'hi', ('<broadcast>', 9999))\nc.connect((\"118.25.239.224\", 8877))\n\
         # python 3.11.7 on 2024.01.02\n",
    );
    assert_eq!(
        f.endpoints,
        [
            e("10.16.129.97", 7777),
            e("0.0.0.0", 8888),
            e("<broadcast>", 9999),
            e("118.25.239.224", 8877)
        ]
    );
    let lits: Vec<String> = f.literals.iter().map(|a| a.to_string()).collect();
    assert_eq!(
        lits,
        [
            "0.0.0.0",
            "10.16.129.97",
            "118.25.239.224",
            "255.255.255.255"
        ]
    );
}

#[test]
fn variables_written_apart_are_paired() {
    let f = scan_text("HOST = '172.40.74.177'\nPORT = 22222\nADDR = (HOST, PORT)\n");
    assert_eq!(f.endpoints, [e("172.40.74.177", 22222)]);
    let f = scan_text("port = 8484\ns.bind(('', port))\n");
    assert_eq!(f.endpoints, [e("", 8484)]);
}

fn names(text: &str) -> Vec<String> {
    scan_text(text).names.into_iter().collect()
}

#[test]
fn host_names_as_homework_writes_them() {
    let f = scan_text(
        "import socket\nsockfd = socket.socket()\nsockfd.connect(('www.python.org', 80))\n",
    );
    assert_eq!(f.names.iter().collect::<Vec<_>>(), ["www.python.org"]);
    assert_eq!(f.endpoints, [e("www.python.org", 80)]);
    assert!(f.literals.is_empty());

    // A classroom server's name, written apart from its port.
    let f = scan_text("HOST = 'tedu-server'\nPORT = 8888\nADDR = (HOST, PORT)\n");
    assert_eq!(names("HOST = 'tedu-server'\n"), ["tedu-server"]);
    assert_eq!(f.endpoints, [e("tedu-server", 8888)]);
    let f = scan_text("HOST, PORT = 'tedu-server', 8888\n");
    assert_eq!(f.endpoints, [e("tedu-server", 8888)]);
    assert_eq!(f.names.len(), 1);

    // Looked up, the port elsewhere.
    let f =
        scan_text("PORT = 80\nip = socket.gethostbyname('www.baidu.com')\ns.connect((ip, PORT))\n");
    assert_eq!(f.endpoints, [e("www.baidu.com", 80)]);
    assert_eq!(
        names("socket.gethostbyname('tedu-server')"),
        ["tedu-server"]
    );
    assert_eq!(
        scan_text("socket.getaddrinfo('www.python.org', 443, 0, socket.SOCK_STREAM)").endpoints,
        [e("www.python.org", 443)]
    );

    // URLs: the host, and the port or the scheme's.
    let f = scan_text("from urllib.request import urlopen\nr = urlopen('http://example.com/')\n");
    assert_eq!(f.endpoints, [e("example.com", 80)]);
    assert_eq!(
        names("urlopen('http://example.com/index.html')"),
        ["example.com"]
    );
    let f = scan_text("requests.get(\"https://api.example.org:8443/v1?q=1\")");
    assert_eq!(f.endpoints, [e("api.example.org", 8443)]);
    let f = scan_text("url = 'http://10.16.129.97:8080/'\n");
    assert_eq!(f.endpoints, [e("10.16.129.97", 8080)]);
    assert_eq!(
        f.literals.iter().collect::<Vec<_>>(),
        [&Ipv4Addr::new(10, 16, 129, 97)]
    );
    assert_eq!(
        names("urlopen('http://tedu-server:8000/')"),
        ["tedu-server"]
    );
    assert_eq!(
        scan_text("c = http.client.HTTPConnection('www.example.com')").endpoints,
        [e("www.example.com", 80)]
    );

    // Without a dot, where the call says host.
    for text in [
        "socket.create_connection(('tedu-server', 9000))",
        "s.connect(('tedu-server', 9000))",
        "s.sendto(data.encode('utf-8'), ('tedu-server', 9000))",
        "Socket s = new Socket(\"tedu-server\", 9000);",
        "server_address = ('tedu-server', 9000)",
        "serverIP = 'tedu-server'",
        "SERVER_NAME = 'tedu-server'",
        "#define SERVER \"tedu-server\"",
        "he = gethostbyname(\"tedu-server\");",
    ] {
        assert_eq!(names(text), ["tedu-server"], "{text}");
    }
}

#[test]
fn what_is_not_a_host_name() {
    for text in [
        // A reply and a status, strings that are not hosts.
        "return ('ok', 200)",
        "resp = ('ok', 200)",
        "conn.send(('ok', 200))",
        "description = 'hello'",
        "server_msg = 'hello'",
        "reply = 'Thanks'",
        "data.decode('utf-8')",
        "ENCODING = 'utf-8'",
        "# -*- coding: utf-8 -*-",
        // Versions and files.
        "VERSION = '3.11.7'",
        "print('python 3.11.7')",
        "SERVER_VERSION = ('1.0.2', 80)",
        "open('index.html')",
        "PAGE = 'index.html'",
        "HOST_FILE = 'hosts.txt'",
        "server_page = ('index.html', 80)",
        "logging.basicConfig(filename='server.log')",
        "f = open('server.py')",
        // This machine, every address, a broadcast, addresses.
        "HOST = 'localhost'",
        "s.connect(('localhost', 80))",
        "HOST = ''",
        "HOST = '0.0.0.0'",
        "s.bind(('', 8888))",
        "s.sendto(b'x', ('<broadcast>', 9999))",
        "s.connect(('127.0.0.1', 8888))",
        "urlopen('http://127.0.0.1:8000/')",
        "urlopen('http://localhost:8000/')",
        // Not code: comments, lines turned off.
        "# s.connect(('www.python.org', 80))",
        "  # HOST = 'tedu-server'",
        "// socket.connect(\"www.python.org\", 80);",
        "# see https://docs.python.org/3/library/socket.html",
        // A page that links somewhere, a dotted string with no context.
        "page = '<a href=\"http://www.baidu.com\">baidu</a>'",
        "body = \"<img src='https://www.python.org/logo.png'>\"",
        "print('www.python.org')",
        "print(\"socket.AF_INET\")",
        // Templates, not names.
        "urlopen('http://%s:%d/' % (host, port))",
        "urlopen(f'http://{HOST}:{PORT}/')",
        "urlopen('http://{}:{}/'.format(h, p))",
        "HOST = sys.argv[1]",
    ] {
        assert_eq!(names(text), Vec::<String>::new(), "{text}");
    }
}

#[test]
fn a_line_turned_off_is_not_where_it_connects() {
    let f = scan_text(
        "# s.connect(('10.16.129.97', 7777))\ns.connect(('127.0.0.1', 7777))\n\
         #define PORTNO 7777\n#define SERVER_IP \"10.0.0.9\"\n",
    );
    assert_eq!(f.endpoints[0], e("127.0.0.1", 7777));
    let lits: Vec<String> = f.literals.iter().map(|a| a.to_string()).collect();
    assert_eq!(lits, ["10.0.0.9", "127.0.0.1"]);
}

#[test]
fn variable_names_that_say_host() {
    for yes in [
        "HOST",
        "host",
        "SERVER",
        "server_host",
        "SERVER_IP",
        "serverIP",
        "ServerAddr",
        "dest_addr",
        "ADDR",
        "server_address",
        "TCP_IP",
        "UDP_IP",
        "host1",
        "HOST_2",
        "ipv4",
        "hostname",
        "server_name",
        "HostName",
        "BROADCAST_ADDR",
        "remote",
    ] {
        assert!(says_host(yes), "{yes}");
    }
    for no in [
        "description",
        "server_msg",
        "server_reply",
        "zip",
        "tip",
        "file_name",
        "user_name",
        "page",
        "host_page",
        "ENCODING",
        "url",
        "",
        "_",
        "name",
    ] {
        assert!(!says_host(no), "{no}");
    }
}

#[test]
fn any_text_scans_without_panic() {
    for text in [
        "",
        "'",
        "(\"",
        "('é', 1)",
        "HOST = 'é.中文'",
        "url='http://",
        "'http://:80'",
        "'http://a.b.c:99999/'",
        "gethostbyname(''",
        "\u{feff}HOST = 'x.org'\r\nPORT=1\r\n",
        "s.connect(( 'a' , 0 ))",
        "(('x.org', 65535))",
        "href='http://x.org'",
        "=",
    ] {
        let _ = scan_text(text);
    }
    let long = format!("HOST = '{}.org'", "a".repeat(300));
    assert!(scan_text(&long).names.is_empty());
    assert_eq!(host_name(&format!("{}.org", "a".repeat(64)), true), None);
    assert_eq!(
        host_name("www.python.org.", false).as_deref(),
        Some("www.python.org")
    );
    assert_eq!(host_name("-x.org", false), None);
    assert_eq!(host_name("999.1.1.1", false), None);
}

#[test]
fn endpoints_name_their_addresses() {
    assert_eq!(e("", 1).ip(), Some(Ipv4Addr::UNSPECIFIED));
    assert_eq!(e("localhost", 1).ip(), Some(Ipv4Addr::LOCALHOST));
    assert_eq!(e("<broadcast>", 1).ip(), Some(Ipv4Addr::BROADCAST));
    assert_eq!(e("10.0.0.1", 1).ip(), Some(Ipv4Addr::new(10, 0, 0, 1)));
    assert_eq!(e("example.com", 1).ip(), None);
}

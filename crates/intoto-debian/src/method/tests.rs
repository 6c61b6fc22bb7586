use super::*;

#[test]
fn messages_round_trip() {
    let text = "600 URI Acquire\nURI: intoto+http://127.0.0.1:8/pool/a_1_all.deb\nFilename: /x/partial/a_1_all.deb\nTarget-Type: deb\nMulti: one\n two\n";
    let m = Message::parse(text).unwrap();
    assert_eq!(m.code, 600);
    assert_eq!(m.info, "URI Acquire");
    assert_eq!(m.get("target-type"), Some("deb"));
    assert_eq!(m.get("Multi"), Some("one\ntwo"));
    assert_eq!(m.to_text(), format!("{text}\n"));
    let mut r = std::io::Cursor::new(format!("\n\n{text}\n201 URI Done\nURI: x\n\n"));
    assert_eq!(read_message(&mut r).unwrap().unwrap(), m);
    assert_eq!(read_message(&mut r).unwrap().unwrap().code, 201);
    assert!(read_message(&mut r).unwrap().is_none());
    assert!(Message::parse("hello\n").is_err());
    assert!(Message::parse("600 URI Acquire\nno colon\n").is_err());
}

#[test]
fn control_characters_never_reach_apt() {
    let m = Message::new(400, "URI Failure").with("Message", "a\u{1b}[31mb\rc\nd");
    assert_eq!(m.to_text(), "400 URI Failure\nMessage: a [31mb c\n d\n\n");
}

#[test]
fn configuration_as_apt_config_dumps_it() {
    let c = AptConfig::from_dump(
        "APT=\n\
         APT::Intoto=\n\
         APT::Intoto::Layout=/etc/intoto/root%20layout\n\
         APT::Intoto::Rebuilders=\n\
         APT::Intoto::Rebuilders::=http://127.0.0.1:1\n\
         APT::Intoto::Rebuilders::=rebuilderd:http://127.0.0.1:2\n\
         Dir::Bin::Methods::intoto+http=/m/intoto+http\n\
         not an item\n",
    );
    assert_eq!(
        c.list("APT::Intoto::Rebuilders"),
        ["http://127.0.0.1:1", "rebuilderd:http://127.0.0.1:2"]
    );
    assert_eq!(
        c.find("apt::intoto::layout"),
        Some("/etc/intoto/root layout")
    );
    assert_eq!(
        c.find("Dir::Bin::Methods::intoto+http"),
        Some("/m/intoto+http")
    );
    assert_eq!(c.find("APT::Intoto"), None);
}

#[test]
fn configuration_items_as_apt_sends_them() {
    let m = Message::parse(
        "601 Configuration\n\
         Config-Item: Dir=/tmp/t/\n\
         Config-Item: Dir::Bin::Methods=/usr/lib/apt/methods\n\
         Config-Item: Dir::Bin::Methods::intoto%2bhttp=/tmp/t/m/intoto+http\n\
         Config-Item: APT::Intoto::Rebuilders::=http://127.0.0.1:1\n\
         Config-Item: APT::Intoto::Rebuilders::=rebuilderd:http://127.0.0.1:2\n\
         Config-Item: APT::Intoto::Layout::=/etc/intoto/root.layout\n\
         Config-Item: apt::intoto::NoFail=true\n\
         Config-Item: APT::Intoto::Keyids::=88876A89E3D4698F83D3DB0E72E33CA3E0E04E46\n\
         Config-Item: Acquire::http::User-Agent=a%3db%20c%25\n",
    )
    .unwrap();
    let c = AptConfig::from_message(&m);
    assert_eq!(
        c.list("APT::Intoto::Rebuilders"),
        ["http://127.0.0.1:1", "rebuilderd:http://127.0.0.1:2"]
    );
    assert_eq!(
        c.find("APT::Intoto::Layout"),
        Some("/etc/intoto/root.layout")
    );
    assert_eq!(c.find("APT::Intoto::NoFail"), Some("true"));
    assert_eq!(c.find("Acquire::http::User-Agent"), Some("a=b c%"));
    assert_eq!(
        c.find("Dir::Bin::Methods::intoto+http"),
        Some("/tmp/t/m/intoto+http")
    );
    assert_eq!(
        c.find_dir("Dir::Bin::Methods", "/nowhere"),
        PathBuf::from("/usr/lib/apt/methods")
    );
    assert_eq!(c.names_under("APT::Intoto").len(), 5);
    let rel = AptConfig::from_items([
        ("Dir", "/r/"),
        ("Dir::Bin", "bin/"),
        ("Dir::Bin::Methods", "m"),
    ]);
    assert_eq!(
        rel.find_dir("Dir::Bin::Methods", "x"),
        PathBuf::from("/r/bin/m")
    );
    assert_eq!(dequote("%zz%4"), "%zz%4");
}

#[test]
fn control_characters_in_a_message_are_refused() {
    // The deb822 fuzz target's find: a field name starting with NUL read,
    // then written back as a continuation line that did not read back.
    let e = Message::parse("600 URI Acquire//127.0.0.2/a\n\0!scre: /t\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "message 600: a control character '\\0' in \"\\0!scre: /t\" (method messages are text)"
    );
    for bad in [
        "600 URI Acquire\nURI: a\u{1b}[31mb\n",
        "600 URI Acquire\nURI: a\n \u{7f}b\n",
        "600 URI Acquire\nURI: a\rb\n",
        "600 URI\u{0} Acquire\n",
        "600 URI Acquire\nURI\u{85}: a\n",
    ] {
        let e = Message::parse(bad).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("message 600: a control character "),
            "{e}"
        );
    }
    // Tabs are text, and CRLF line ends are read as line ends.
    let m = Message::parse("600 URI Acquire\r\nURI: a\tb\r\nMulti: one\r\n\ttwo\r\n").unwrap();
    assert_eq!(m.get("URI"), Some("a\tb"));
    assert_eq!(m.get("Multi"), Some("one\ntwo"));
    assert!(Message::parse(m.to_text().trim_end_matches('\n')).is_ok());
}

/// A line of 1 MiB (or any length up to the message's bound) is read
/// whole, whatever its characters; beyond the bound it is refused, never
/// cut into two messages.
#[test]
fn long_lines_are_read_whole_or_refused() {
    let head = "Config-Item: Long::Item=";
    for (fill, n) in [
        ("v", (1 << 20) - head.len()),
        ("é", (1 << 19) - 4),
        ("v", (3 << 20) + 7),
    ] {
        let value = fill.repeat(n);
        let text = format!(
            "601 Configuration\nConfig-Item: A=1\n{head}{value}\nConfig-Item: B=2\n\n600 URI Acquire\nURI: x\n\n"
        );
        let mut r = std::io::Cursor::new(text);
        let m = read_message(&mut r).unwrap().unwrap();
        let c = AptConfig::from_message(&m);
        assert_eq!(c.find("Long::Item").map(str::len), Some(value.len()));
        assert_eq!((c.find("A"), c.find("B")), (Some("1"), Some("2")));
        assert_eq!(read_message(&mut r).unwrap().unwrap().code, 600);
        assert!(read_message(&mut r).unwrap().is_none());
    }
    // At the bound: read; one byte more: refused, naming the bound.
    let line = |n: usize| format!("601 Configuration\nX: {}\n", "v".repeat(n));
    let exact = line(MAX_MESSAGE - "601 Configuration\nX: \n".len());
    assert_eq!(exact.len(), MAX_MESSAGE);
    let m = read_message(&mut std::io::Cursor::new(format!("{exact}\n")))
        .unwrap()
        .unwrap();
    assert_eq!(m.get("X").map(str::len), Some(MAX_MESSAGE - 22));
    let over = line(MAX_MESSAGE - "601 Configuration\nX: \n".len() + 1);
    let e = read_message(&mut std::io::Cursor::new(over))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "a method message (or one of its lines) longer than 16 MiB: refused"
    );
    let e = read_message(&mut std::io::Cursor::new(b"600 URI Acquire\nX: \xff\n\n"))
        .unwrap_err()
        .to_string();
    assert_eq!(e, "a method message that is not UTF-8 text");
}

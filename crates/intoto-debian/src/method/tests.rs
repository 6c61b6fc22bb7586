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

/// apt's side of the pipe: the messages, then open until `end` says.
struct AptInput {
    text: std::io::Cursor<Vec<u8>>,
    end: std::sync::mpsc::Receiver<()>,
}

impl Read for AptInput {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.text.read(buf)?;
        if n == 0 {
            let _ = self.end.recv();
        }
        Ok(n)
    }
}

/// What the method sends apt.
#[derive(Clone, Default)]
struct AptOutput(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Write for AptOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Refuses `refused.deb`; takes its time over `slow.deb`.
struct SlowJudge;

impl Judge for SlowJudge {
    fn configure(&mut self, _config: &AptConfig) {}
    fn judge(&self, file: &Path, _uri: &str) -> Decision {
        match file.file_name().and_then(|n| n.to_str()) {
            Some("slow.deb") => {
                std::thread::sleep(std::time::Duration::from_millis(700));
                Decision::Pass
            }
            Some("refused.deb") => Decision::Refuse("intoto: refused".into()),
            _ => Decision::Pass,
        }
    }
}

#[test]
fn a_slow_package_does_not_hold_up_the_next() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    // apt's http method as far as this goes: each item started and done.
    let http = dir.path().join("http");
    std::fs::write(
        &http,
        "#!/bin/sh\n\
         printf '100 Capabilities\\nVersion: 1.2\\n\\n'\n\
         uri=; file=\n\
         while IFS= read -r line; do\n\
           case \"$line\" in\n\
             'URI: '*) uri=${line#URI: } ;;\n\
             'Filename: '*) file=${line#Filename: } ;;\n\
             '') if [ -n \"$uri\" ]; then\n\
                   printf '200 URI Start\\nURI: %s\\n\\n201 URI Done\\nURI: %s\\nFilename: %s\\n\\n' \"$uri\" \"$uri\" \"$file\"\n\
                 fi; uri=; file= ;;\n\
           esac\n\
         done\n",
    )
    .unwrap();
    std::fs::set_permissions(&http, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut text = format!(
        "601 Configuration\nConfig-Item: Dir::Bin::Methods={}\n\n",
        dir.path().display()
    );
    for name in ["slow", "fast", "refused"] {
        let file = dir.path().join(format!("{name}.deb"));
        std::fs::write(&file, name).unwrap();
        text.push_str(&format!(
            "600 URI Acquire\nURI: intoto+http://mirror/{name}.deb\nFilename: {}\nTarget-Type: deb\n\n",
            file.display()
        ));
    }
    let (end_tx, end) = std::sync::mpsc::channel();
    let input = AptInput {
        text: std::io::Cursor::new(text.into_bytes()),
        end,
    };
    let output = AptOutput::default();
    let seen = output.clone();
    let watch = std::thread::spawn(move || {
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(20) {
            let out = String::from_utf8_lossy(&seen.0.lock().unwrap()).into_owned();
            if out.contains("slow.deb\nFilename") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = end_tx.send(());
    });
    run("intoto+http", input, output.clone(), &mut SlowJudge).unwrap();
    watch.join().unwrap();
    let out = String::from_utf8(output.0.lock().unwrap().clone()).unwrap();
    let mut r = std::io::Cursor::new(out.clone());
    let mut answers = Vec::new();
    while let Some(m) = read_message(&mut r).unwrap() {
        if let Some(uri) = m.get("URI") {
            let name = uri.rsplit('/').next().unwrap().to_owned();
            answers.push(format!("{} {name}", m.code));
        }
    }
    // Each item's answer follows its start; the fast one and the refused
    // one are answered while the slow one is still judged.
    let at = |a: &str| answers.iter().position(|x| x == a).unwrap_or(usize::MAX);
    for name in ["slow.deb", "fast.deb", "refused.deb"] {
        let answer = if name == "refused.deb" { 400 } else { 201 };
        assert!(
            at(&format!("200 {name}")) < at(&format!("{answer} {name}")),
            "{answers:?}"
        );
    }
    assert_eq!(answers.len(), 6, "{out}");
    assert_eq!(
        answers.last().map(String::as_str),
        Some("201 slow.deb"),
        "{out}"
    );
    assert!(!dir.path().join("refused.deb").exists());
    assert!(dir.path().join("slow.deb").exists());
}

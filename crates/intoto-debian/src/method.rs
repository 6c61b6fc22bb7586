//! apt's method protocol, and a method that relays apt's own `http`
//! method and judges every `.deb` before apt sees it.
//!
//! The protocol (apt's `doc/method.dbk`, `apt-pkg/acquire-method.cc`):
//! messages are a status line (`600 URI Acquire`), `Field: value` lines
//! (a line starting with a space continues the value), and a blank line.
//! The method says `100 Capabilities`; apt answers `601 Configuration`
//! (every configuration item, `%`-quoted) and then sends `600 URI Acquire`
//! at any time; the method answers `200 URI Start`, `201 URI Done` or
//! `400 URI Failure` (and `101 Log`, `102 Status`, `103 Redirect`,
//! `104 Warning`).
//!
//! [`run`] sends its capabilities (those of apt's `http` method), waits
//! for the configuration, then starts `{Dir::Bin::Methods}/http` with
//! argv\[0\] `…/intoto+http`: the `http` method takes its name from
//! argv\[0\], so it speaks plain HTTP but reports redirects with the
//! `intoto+` scheme (as `tor+http` does), and apt hands them back here.
//! Every message passes through unchanged, except a `201 URI Done` for an
//! item apt asked for with `Target-Type: deb`: that one is shown to the
//! [`Judge`] first, and relayed, relayed after a `104 Warning`, or
//! replaced by `400 URI Failure` (the file deleted).

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

/// One protocol message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The status code (`600`).
    pub code: u16,
    /// The text after it (`URI Acquire`).
    pub info: String,
    /// The fields in order; a multi-line value joined with `\n`.
    pub fields: Vec<(String, String)>,
}

/// Why text is not an apt method message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The first line is not `NNN Status`.
    #[error("not a method message: {0:?}")]
    NotAMessage(String),
    /// A control character in the status line.
    #[error(
        "message {code}: a control character {c:?} in its status line (method messages are text)"
    )]
    ControlInStatus {
        /// The message's code.
        code: u16,
        /// The character.
        c: char,
    },
    /// A control character in a field line.
    #[error("message {code}: a control character {c:?} in {line:?} (method messages are text)")]
    Control {
        /// The message's code.
        code: u16,
        /// The character.
        c: char,
        /// The line (its start).
        line: String,
    },
    /// A continuation line before any field.
    #[error("message {code}: a continuation line first")]
    ContinuationFirst {
        /// The message's code.
        code: u16,
    },
    /// A line that is neither a field nor a continuation.
    #[error("message {code}: not a field: {line:?}")]
    NotAField {
        /// The message's code.
        code: u16,
        /// The line (its start).
        line: String,
    },
}

impl Message {
    /// A message with no fields.
    pub fn new(code: u16, info: &str) -> Message {
        Message {
            code,
            info: info.to_owned(),
            fields: Vec::new(),
        }
    }

    /// The same with one more field.
    pub fn with(mut self, name: &str, value: &str) -> Message {
        self.fields.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The first value of field `name` (any case).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Parses one message's text (without the blank line that ends it).
    /// Messages are text: a control character other than a tab (a NUL,
    /// an escape, a lone carriage return) anywhere in it is refused.
    pub fn parse(text: &str) -> Result<Message, MessageError> {
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default();
        let (code, info) = first.split_once(' ').unwrap_or((first, ""));
        let code: u16 = code
            .parse()
            .ok()
            .filter(|c| (100..1000).contains(c))
            .ok_or_else(|| MessageError::NotAMessage(clip(first)))?;
        if let Some(c) = first.chars().find(|&c| is_bad_control(c)) {
            return Err(MessageError::ControlInStatus { code, c });
        }
        let mut m = Message::new(code, info.trim());
        for line in lines {
            if let Some(c) = line.chars().find(|&c| is_bad_control(c)) {
                return Err(MessageError::Control {
                    code,
                    c,
                    line: clip(line),
                });
            }
            if line.starts_with([' ', '\t']) {
                match m.fields.last_mut() {
                    Some((_, v)) => {
                        v.push('\n');
                        v.push_str(line.trim_start());
                    }
                    None => return Err(MessageError::ContinuationFirst { code }),
                }
                continue;
            }
            let Some((k, v)) = line.split_once(':') else {
                return Err(MessageError::NotAField {
                    code,
                    line: clip(line),
                });
            };
            m.fields.push((k.trim().to_owned(), v.trim().to_owned()));
        }
        Ok(m)
    }

    /// The message as sent: values are made single-line-safe (control
    /// characters other than the newlines of a multi-line value become
    /// spaces; apt rejects messages holding them).
    pub fn to_text(&self) -> String {
        let clean = |s: &str| -> String {
            s.chars()
                .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
                .collect()
        };
        let mut out = format!("{} {}\n", self.code, clean(&self.info).replace('\n', " "));
        for (k, v) in &self.fields {
            if v.is_empty() {
                continue;
            }
            out.push_str(&clean(k).replace('\n', " "));
            out.push_str(": ");
            out.push_str(&clean(v).replace('\n', "\n "));
            out.push('\n');
        }
        out.push('\n');
        out
    }
}

fn clip(s: &str) -> String {
    s.chars().take(80).collect()
}

/// A control character that has no place in a message's text (a tab may
/// separate words or start a continuation line).
fn is_bad_control(c: char) -> bool {
    c.is_control() && c != '\t'
}

/// Largest message read, its newlines included: one line may take all of
/// it (a `601 Configuration` holds every item of apt's configuration).
pub const MAX_MESSAGE: usize = 16 << 20;

/// Reads one message: `Ok(None)` at the end of input. Blank lines before
/// a message are skipped. Every line is read whole, however long, up to
/// [`MAX_MESSAGE`] for the message; a longer one is an error, never cut.
pub fn read_message(r: &mut impl BufRead) -> io::Result<Option<Message>> {
    let mut text: Vec<u8> = Vec::new();
    loop {
        let start = text.len();
        let room = MAX_MESSAGE - start;
        // Two bytes more: the blank line ending a message at the bound.
        let n = r.take(room as u64 + 2).read_until(b'\n', &mut text)?;
        if n == 0 {
            if text.is_empty() {
                return Ok(None);
            }
            break;
        }
        if text[start..].iter().all(|b| matches!(b, b'\n' | b'\r')) {
            text.truncate(start);
            if text.is_empty() {
                continue;
            }
            break;
        }
        if n > room {
            return Err(io::Error::other(format!(
                "a method message (or one of its lines) longer than {} MiB: refused",
                MAX_MESSAGE >> 20
            )));
        }
    }
    let text = String::from_utf8(text)
        .map_err(|_| io::Error::other("a method message that is not UTF-8 text"))?;
    Message::parse(&text).map(Some).map_err(io::Error::other)
}

/// apt's configuration, as `601 Configuration` sends it.
#[derive(Clone, Debug, Default)]
pub struct AptConfig {
    items: Vec<(String, String)>,
}

impl AptConfig {
    /// The `Config-Item`s of a `601 Configuration` message (`%xx`-quoted
    /// `Name=Value`).
    pub fn from_message(m: &Message) -> AptConfig {
        let items = m
            .fields
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("Config-Item"))
            .filter_map(|(_, v)| {
                let (k, v) = v.split_once('=')?;
                Some((dequote(k), dequote(v)))
            })
            .collect();
        AptConfig { items }
    }

    /// The configuration `apt-config dump --format '%f=%V%n'` prints: one
    /// `Name=Value` line per item, the value `%xx`-quoted as in a `601
    /// Configuration` message. As in that message, items without a value
    /// (the nodes above a list's values) are left out, and so are lines
    /// without `=`.
    pub fn from_dump(text: &str) -> AptConfig {
        let items = text
            .lines()
            .filter_map(|l| {
                let (k, v) = l.split_once('=')?;
                (!v.is_empty()).then(|| (k.to_owned(), dequote(v)))
            })
            .collect();
        AptConfig { items }
    }

    /// A configuration from `(name, value)` pairs.
    pub fn from_items<K: Into<String>, V: Into<String>>(
        items: impl IntoIterator<Item = (K, V)>,
    ) -> AptConfig {
        AptConfig {
            items: items
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The value of `name` (names compare ignoring case, as apt's): the
    /// last one given, also in list form (`Name { "value"; };`, sent as
    /// `Name::`).
    pub fn find(&self, name: &str) -> Option<&str> {
        let list = format!("{name}::");
        self.items
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name) || k.eq_ignore_ascii_case(&list))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of list `name` (`Name { "a"; "b"; };` or `Name:: "a";`),
    /// and a plain `Name "a";` too.
    pub fn list(&self, name: &str) -> Vec<&str> {
        let list = format!("{name}::");
        self.items
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name) || k.eq_ignore_ascii_case(&list))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Names of the items under `prefix` (`APT::Intoto`), for warnings
    /// about names nobody reads.
    pub fn names_under(&self, prefix: &str) -> Vec<&str> {
        let p = format!("{prefix}::").to_lowercase();
        self.items
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| k.to_lowercase().starts_with(&p))
            .collect()
    }

    /// A directory setting resolved as apt's `FindDir` does: a relative
    /// value is relative to its parent's directory (`Dir::Bin::Methods` to
    /// `Dir::Bin`, to `Dir`).
    pub fn find_dir(&self, name: &str, default: &str) -> PathBuf {
        let v = self.find(name).unwrap_or(default);
        if v.starts_with('/') {
            return PathBuf::from(v);
        }
        match name.rsplit_once("::") {
            Some((parent, _)) => self.find_dir(parent, "/").join(v),
            None => PathBuf::from("/").join(v),
        }
    }
}

/// `%xx` → the byte, as apt's `DeQuoteString`.
pub fn dequote(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("00");
            out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the judge decided about one downloaded `.deb`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Hand it to apt.
    Pass,
    /// Hand it to apt after this warning (`104 Warning`).
    Warn(String),
    /// Refuse it (`400 URI Failure`): the file is deleted.
    Refuse(String),
}

/// Judges downloaded packages.
pub trait Judge: Sync {
    /// apt's configuration arrived (once, before any package).
    fn configure(&mut self, config: &AptConfig);
    /// The `.deb` at `file`, downloaded from `uri`. Called from
    /// [`JUDGES`] threads at once, each judging its own package.
    fn judge(&self, file: &Path, uri: &str) -> Decision;
}

/// How many packages are judged at once: while one is judged (its
/// rebuilders asked, its links checked), apt's `http` method goes on
/// downloading and the packages it finishes are judged beside it.
pub const JUDGES: usize = 8;

/// What the relay loop hears.
enum Event {
    Apt(io::Result<Option<Message>>),
    Child(io::Result<Option<Message>>),
    /// A package judged: its `201 URI Done` and the decision.
    Judged {
        done: Message,
        file: PathBuf,
        decision: Decision,
    },
}

/// A package to judge: its `201 URI Done` and its file.
struct Job {
    done: Message,
    file: PathBuf,
}

/// Why the method stopped before apt was done.
#[derive(Debug, thiserror::Error)]
pub enum MethodError {
    /// Reading or writing a pipe failed.
    #[error("{0}")]
    Io(String),
    /// apt's `http` method could not be started or ended early.
    #[error("{0}")]
    Child(String),
}

/// The capabilities sent to apt: apt's `http` method's (1.2, pipelined,
/// configuration and encoded URIs wanted).
pub fn capabilities() -> Message {
    Message::new(100, "Capabilities")
        .with("Version", "1.2")
        .with("Pipeline", "true")
        .with("Send-Config", "true")
        .with("Send-URI-Encoded", "true")
}

fn send(out: &mut dyn Write, m: &Message) -> Result<(), MethodError> {
    out.write_all(m.to_text().as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| MethodError::Io(format!("writing to apt: {e}")))
}

/// Notes whether the item a `600 URI Acquire` asks for is a `.deb`.
fn note_acquire(m: &Message, debs: &mut HashMap<String, bool>) {
    if m.code == 600
        && let Some(uri) = m.get("URI")
    {
        let is_deb = m
            .get("Target-Type")
            .is_some_and(|t| t.eq_ignore_ascii_case("deb"));
        debs.insert(uri.to_owned(), is_deb);
    }
}

/// Runs the method `scheme` (`intoto+http`, `intoto+https`) on `input`
/// and `output` (apt's pipes) until apt closes its end. Packages are
/// judged by up to [`JUDGES`] threads while the relay goes on; each
/// package's answer (`201 URI Done`, or `400 URI Failure`) follows its
/// `200 URI Start`, and answers for different items may come in any
/// order, as apt finds an item by its URI.
pub fn run(
    scheme: &str,
    input: impl Read + Send + 'static,
    mut output: impl Write,
    judge: &mut dyn Judge,
) -> Result<(), MethodError> {
    let inner = scheme
        .rsplit_once('+')
        .map_or(scheme, |(_, s)| s)
        .to_owned();
    let (tx, rx) = mpsc::channel::<Event>();
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(input);
            loop {
                let m = read_message(&mut r);
                let end = !matches!(m, Ok(Some(_)));
                if tx.send(Event::Apt(m)).is_err() || end {
                    return;
                }
            }
        });
    }
    send(&mut output, &capabilities())?;
    // URIs apt asked for, and whether each is a .deb.
    let mut debs: HashMap<String, bool> = HashMap::new();
    // What apt sends up to its configuration (it should send nothing
    // before): kept for the child, started once the configuration is in.
    let mut early: Vec<Message> = Vec::new();
    let config = loop {
        match rx.recv() {
            Err(_) | Ok(Event::Apt(Ok(None))) => return Ok(()),
            Ok(Event::Apt(Err(e))) => {
                return Err(MethodError::Io(format!("reading from apt: {e}")));
            }
            Ok(Event::Apt(Ok(Some(m)))) => {
                note_acquire(&m, &mut debs);
                let config = (m.code == 601).then(|| AptConfig::from_message(&m));
                early.push(m);
                if let Some(c) = config {
                    break c;
                }
            }
            // Nothing else speaks before the configuration.
            Ok(Event::Child(_) | Event::Judged { .. }) => {}
        }
    };
    judge.configure(&config);
    let methods = config.find_dir("Dir::Bin::Methods", "/usr/lib/apt/methods");
    let (mut child, mut stdin) = match start_child(&methods, &inner, scheme, tx.clone()) {
        Ok(c) => c,
        Err(e) => {
            let _ = send(
                &mut output,
                &Message::new(401, "General Failure").with("Message", &e.to_string()),
            );
            return Err(e);
        }
    };
    let judge: &dyn Judge = judge;
    let result = relay(
        Relay {
            inner: &inner,
            output: &mut output,
            stdin: &mut stdin,
            debs,
            early,
        },
        &tx,
        &rx,
        judge,
    );
    drop(stdin);
    if result.is_err() {
        let _ = child.kill();
    }
    let _ = child.wait();
    result
}

/// The relay's state once apt's `http` method runs.
struct Relay<'a> {
    inner: &'a str,
    output: &'a mut dyn Write,
    stdin: &'a mut ChildStdin,
    debs: HashMap<String, bool>,
    early: Vec<Message>,
}

/// Relays messages both ways until apt closes its end; packages go to
/// the judges, started as needed (up to [`JUDGES`]), and their answers
/// are sent when judged.
fn relay(
    mut r: Relay<'_>,
    tx: &mpsc::Sender<Event>,
    rx: &mpsc::Receiver<Event>,
    judge: &dyn Judge,
) -> Result<(), MethodError> {
    let inner = r.inner;
    let (jobs_tx, jobs_rx) = mpsc::channel::<Job>();
    let jobs_rx = Mutex::new(jobs_rx);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let mut judges = 0usize;
        // Packages handed to the judges and not answered yet.
        let mut pending = 0usize;
        let mut child_ended = false;
        let forward = |stdin: &mut ChildStdin, text: String| -> Result<(), MethodError> {
            stdin
                .write_all(text.as_bytes())
                .and_then(|_| stdin.flush())
                .map_err(|e| {
                    MethodError::Child(format!("apt's {inner} method stopped reading: {e}"))
                })
        };
        let early: String = r.early.drain(..).map(|m| m.to_text()).collect();
        let mut result = forward(r.stdin, early);
        while result.is_ok() {
            let Ok(ev) = rx.recv() else {
                break;
            };
            match ev {
                Event::Apt(Ok(Some(m))) => {
                    note_acquire(&m, &mut r.debs);
                    result = forward(r.stdin, m.to_text());
                }
                Event::Apt(Ok(None)) => break,
                Event::Apt(Err(e)) => {
                    result = Err(MethodError::Io(format!("reading from apt: {e}")));
                }
                Event::Child(Ok(Some(m))) => {
                    if m.code == 100 {
                        continue;
                    }
                    let uri = m.get("URI").unwrap_or_default().to_owned();
                    if m.code == 201 && r.debs.get(&uri).copied().unwrap_or(false) {
                        r.debs.remove(&uri);
                        let Some(file) = m.get("Filename").map(PathBuf::from) else {
                            result = send(
                                r.output,
                                &Message::new(400, "URI Failure").with("URI", &uri).with(
                                    "Message",
                                    "intoto: the download names no file to verify",
                                ),
                            );
                            continue;
                        };
                        if pending >= judges && judges < JUDGES {
                            judges += 1;
                            let (tx, jobs, stop) = (tx.clone(), &jobs_rx, &stop);
                            s.spawn(move || judge_jobs(judge, jobs, tx, stop));
                        }
                        pending += 1;
                        // The judges hold the receiver until the scope ends.
                        let _ = jobs_tx.send(Job { done: m, file });
                        continue;
                    }
                    if matches!(m.code, 201 | 400) {
                        r.debs.remove(&uri);
                    }
                    result = send(r.output, &m);
                }
                Event::Child(Ok(None)) => {
                    // Packages already downloaded are answered first.
                    child_ended = true;
                }
                Event::Child(Err(e)) => {
                    result = Err(MethodError::Child(format!(
                        "reading from apt's {inner} method: {e}"
                    )));
                }
                Event::Judged {
                    done,
                    file,
                    decision,
                } => {
                    pending -= 1;
                    result = answer(r.output, done, &file, decision);
                }
            }
            if result.is_ok() && child_ended && pending == 0 {
                result = Err(MethodError::Child(format!(
                    "apt's {inner} method ended before apt was done"
                )));
            }
        }
        // Judges still at work finish their package; the rest is dropped.
        stop.store(true, Ordering::Relaxed);
        drop(jobs_tx);
        result
    })
}

/// A judge's loop: packages from `jobs` until there are none or `stop`.
fn judge_jobs(
    judge: &dyn Judge,
    jobs: &Mutex<mpsc::Receiver<Job>>,
    tx: mpsc::Sender<Event>,
    stop: &AtomicBool,
) {
    loop {
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(Job { done, file }) = job else {
            return;
        };
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let uri = done.get("URI").unwrap_or_default().to_owned();
        // A judge that panics refuses the package (apt would otherwise
        // wait for its answer).
        let decision =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| judge.judge(&file, &uri)))
                .unwrap_or_else(|_| Decision::Refuse("intoto: judging the package failed".into()));
        if tx
            .send(Event::Judged {
                done,
                file,
                decision,
            })
            .is_err()
        {
            return;
        }
    }
}

/// Sends apt the answer for a judged package: its `201 URI Done`, after
/// a `104 Warning`, or a `400 URI Failure` (the file deleted).
fn answer(
    out: &mut dyn Write,
    done: Message,
    file: &Path,
    decision: Decision,
) -> Result<(), MethodError> {
    let uri = done.get("URI").unwrap_or_default().to_owned();
    match decision {
        Decision::Pass => send(out, &done),
        Decision::Warn(w) => {
            send(
                out,
                &Message::new(104, "Warning")
                    .with("URI", &uri)
                    .with("Message", &w),
            )?;
            send(out, &done)
        }
        Decision::Refuse(why) => {
            let _ = std::fs::remove_file(file);
            send(
                out,
                &Message::new(400, "URI Failure")
                    .with("URI", &uri)
                    .with("Message", &why),
            )
        }
    }
}

/// Starts `{methods}/{inner}` as `{methods}/{scheme}` (its argv\[0\]),
/// reading its messages into `tx`.
fn start_child(
    methods: &Path,
    inner: &str,
    scheme: &str,
    tx: mpsc::Sender<Event>,
) -> Result<(Child, ChildStdin), MethodError> {
    use std::os::unix::process::CommandExt as _;
    let program = methods.join(inner);
    let mut c = Command::new(&program)
        .arg0(methods.join(scheme))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| {
            MethodError::Child(format!(
                "starting apt's {inner} method {}: {e}",
                program.display()
            ))
        })?;
    let stdin = c.stdin.take().expect("piped");
    let stdout = c.stdout.take().expect("piped");
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        loop {
            let m = read_message(&mut r);
            let end = !matches!(m, Ok(Some(_)));
            if tx.send(Event::Child(m)).is_err() || end {
                return;
            }
        }
    });
    Ok((c, stdin))
}

#[cfg(test)]
mod tests;

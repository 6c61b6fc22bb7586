//! Names and paths while recording: a directory's entry names in one
//! buffer, paths joined into a reused one, Python's `normpath`, and the
//! words for special files.

use std::fs;

use rustix::fs::FileType;

pub(super) fn kind(t: fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "FIFO"
    } else if t.is_socket() {
        "socket"
    } else if t.is_block_device() || t.is_char_device() {
        "device"
    } else {
        "special file"
    }
}

pub(super) fn file_kind(t: FileType) -> &'static str {
    match t {
        FileType::Fifo => "FIFO",
        FileType::Socket => "socket",
        FileType::BlockDevice | FileType::CharacterDevice => "device",
        _ => "special file",
    }
}

pub(super) fn join(base: &str, name: &str) -> String {
    let mut out = String::new();
    join_into(&mut out, base, name);
    out
}

/// [`join`] into `out` (cleared first), reusing its allocation.
pub(super) fn join_into(out: &mut String, base: &str, name: &str) {
    out.clear();
    if base != "." {
        out.push_str(base);
        if !base.ends_with('/') {
            out.push('/');
        }
    }
    out.push_str(name);
}

/// The names of a directory's entries in one buffer (one allocation per
/// directory, not per entry), with their types.
#[derive(Default)]
pub(super) struct Entries {
    names: String,
    list: Vec<(u32, u32, FileType)>,
}

impl Entries {
    pub(super) fn push(&mut self, name: &str, ft: FileType) {
        let start = self.names.len() as u32;
        self.names.push_str(name);
        self.list.push((start, self.names.len() as u32, ft));
    }

    pub(super) fn len(&self) -> usize {
        self.list.len()
    }

    pub(super) fn get(&self, k: usize) -> (&str, FileType) {
        let (start, end, ft) = self.list[k];
        (&self.names[start as usize..end as usize], ft)
    }
}

/// Python's `posixpath.normpath`.
pub fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let initial = if path.starts_with("//") && !path.starts_with("///") {
        2
    } else if path.starts_with('/') {
        1
    } else {
        0
    };
    let mut comps: Vec<&str> = Vec::new();
    for c in path.split('/') {
        if c.is_empty() || c == "." {
            continue;
        }
        if c != ".." || (initial == 0 && comps.is_empty()) || comps.last() == Some(&"..") {
            comps.push(c);
        } else if !comps.is_empty() {
            comps.pop();
        }
    }
    let joined = comps.join("/");
    let out = format!("{}{joined}", "/".repeat(initial));
    if out.is_empty() { ".".into() } else { out }
}

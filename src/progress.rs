//! A progress line for long recordings: files, bytes and rate, on a
//! terminal only, never with `-q`, and only once the work is big enough
//! (a few thousand files or a few hundred MB) to be worth watching.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use intoto::record::Progress;

use crate::ui::{Verbosity, verbosity};

const MIN_FILES: u64 = 3000;
const MIN_BYTES: u64 = 300 << 20;

/// A running progress display.
pub struct Bar {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Bar {
    /// Starts watching `progress` (does nothing off a terminal).
    pub fn start(what: &str, progress: Arc<Progress>) -> Bar {
        let stop = Arc::new(AtomicBool::new(false));
        if verbosity() == Verbosity::Quiet || !std::io::stderr().is_terminal() {
            return Bar { stop, handle: None };
        }
        // Names in `what` may come from a file.
        let what = crate::ui::escape(what).into_owned();
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let start = Instant::now();
            let mut shown = false;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(150));
                let total = progress.files_total.load(Ordering::Relaxed);
                let files = progress.files_done.load(Ordering::Relaxed);
                let bytes = progress.bytes_done.load(Ordering::Relaxed);
                if !shown && total < MIN_FILES && bytes < MIN_BYTES {
                    continue;
                }
                shown = true;
                let secs = start.elapsed().as_secs_f64().max(0.001);
                let line = format!(
                    "intoto: hashing {what}: {files}/{total} files, {}, {}/s",
                    human(bytes),
                    human((bytes as f64 / secs) as u64)
                );
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K{line}");
                let _ = err.flush();
            }
            if shown {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K");
                let _ = err.flush();
            }
        });
        Bar {
            stop,
            handle: Some(handle),
        }
    }

    /// Stops and clears the line.
    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn human(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

//! The floor under one recording pass (a benchmark's yardstick, not part
//! of intoto): every regular file under DIR opened, stated, read through
//! a 64 KiB buffer and closed, on every core, with SHA-256 (`hash`) or
//! without (`read`). The walk is done first and not timed; prints the
//! seconds the reading took.
//!
//!     cargo run --release -p intoto-lib --example read_floor -- DIR read|hash

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let t = e.file_type()?;
        if t.is_dir() {
            walk(&e.path(), out)?;
        } else if t.is_file() {
            out.push(e.path());
        }
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(mode)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: read_floor DIR read|hash");
        std::process::exit(2);
    };
    let hash = mode == "hash";
    let mut files = Vec::new();
    walk(Path::new(dir), &mut files)?;
    let start = Instant::now();
    let bytes = files
        .par_iter()
        .map_init(
            || vec![0u8; 64 << 10],
            |buf, p| -> std::io::Result<u64> {
                let mut f = File::open(p)?;
                let size = f.metadata()?.len();
                let mut h = Sha256::new();
                let mut got = 0;
                while got < size {
                    let n = f.read(buf)?;
                    if n == 0 {
                        break;
                    }
                    if hash {
                        h.update(&buf[..n]);
                    }
                    got += n as u64;
                }
                std::hint::black_box(h.finalize());
                Ok(got)
            },
        )
        .sum::<std::io::Result<u64>>()?;
    println!(
        "{:.3} s for {} files, {bytes} bytes ({mode})",
        start.elapsed().as_secs_f64(),
        files.len()
    );
    Ok(())
}

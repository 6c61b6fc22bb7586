//! The worker threads that record artifacts and verify (rayon's global
//! pool): how many, and how big their stacks are.
//!
//! `RAYON_NUM_THREADS` is honoured up to [`MAX_THREADS`]: rayon would
//! start as many threads as it says, and tens of thousands of threads
//! stall a run for minutes (each is made, given a stack and scheduled)
//! for nothing, since recording is bound by the disk and the cores.

/// The most worker threads intoto starts, whatever `RAYON_NUM_THREADS`
/// says: many more than cores helps only a recording that waits for a
/// slow disk or a network file system, and this is plenty for that.
pub const MAX_THREADS: usize = 256;

/// The stack of each worker thread. The recording walk recurses once per
/// directory level, and a path of `PATH_MAX` bytes can be 2,048 levels
/// deep; this is address space, reserved, not memory used.
pub const STACK_BYTES: usize = 64 << 20;

/// What [`init`] decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Threads {
    /// Worker threads in the pool.
    pub count: usize,
    /// A warning for the user: `RAYON_NUM_THREADS` was not taken as it is.
    pub warning: Option<String>,
}

/// The thread count for a `RAYON_NUM_THREADS` of `var` (`None`: unset)
/// on a machine of `cores` cores.
pub fn decide(var: Option<&str>, cores: usize) -> Threads {
    let cores = cores.max(1);
    let Some(text) = var else {
        return Threads {
            count: cores,
            warning: None,
        };
    };
    match text.trim().parse::<u64>() {
        // As rayon: 0 means one per core.
        Ok(0) => Threads {
            count: cores,
            warning: None,
        },
        Ok(n) if n <= MAX_THREADS as u64 => Threads {
            count: n as usize,
            warning: None,
        },
        Ok(n) => Threads {
            count: MAX_THREADS,
            warning: Some(format!(
                "RAYON_NUM_THREADS={n} is more threads than useful: using {MAX_THREADS}"
            )),
        },
        Err(_) => Threads {
            count: cores,
            warning: Some(format!(
                "RAYON_NUM_THREADS={text:?} is not a number of threads: using {cores} (one per core)"
            )),
        },
    }
}

/// Builds the global pool from `RAYON_NUM_THREADS` (bounded) and the
/// number of cores, before anything uses it. Call it once, first thing.
pub fn init() -> Threads {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let var = std::env::var_os("RAYON_NUM_THREADS");
    let var = var.as_ref().map(|v| v.to_string_lossy());
    let t = decide(var.as_deref(), cores);
    // Fails only when the pool was already built (a second call): the
    // threads are there either way.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(t.count)
        .stack_size(STACK_BYTES)
        .build_global();
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thread_count_is_bounded() {
        assert_eq!(decide(None, 2).count, 2);
        assert_eq!(decide(Some("0"), 4).count, 4);
        assert_eq!(
            decide(Some("8"), 2),
            Threads {
                count: 8,
                warning: None
            }
        );
        assert_eq!(decide(Some("256"), 2).count, 256);
        let t = decide(Some("100000"), 2);
        assert_eq!(t.count, MAX_THREADS);
        assert!(t.warning.unwrap().contains("100000"));
        let t = decide(Some("many"), 2);
        assert_eq!(t.count, 2);
        assert!(t.warning.unwrap().contains("not a number"));
        assert_eq!(decide(None, 0).count, 1);
    }
}

//! Distribution support: Debian packages checked against rebuilders'
//! in-toto links.
//!
//! - [`deb`]: what a `.deb` says it is (its control data), and the deb822
//!   paragraph format that control files, `Packages` and `Release` share;
//! - [`compressed`]: gzip, xz and zstd data as apt reads it (every
//!   member), bounded;
//! - [`rebuilder`]: asking rebuilders for the links of a package (the
//!   legacy path API and rebuilderd's v1 API), in parallel, with a timeout;
//! - [`rebuilder_keys`]: a rebuilderd's signing keys, and the community's
//!   list of rebuilders;
//! - [`check`]: one layout, loaded and signature-checked once, judging
//!   package after package: verified, failed (contradicting evidence) or
//!   missing evidence;
//! - [`policy`]: per-package allow and deny lists on top of that verdict;
//! - [`report`]: an archive audit as one self-contained HTML page;
//! - [`pacman`]: what an Arch Linux package says it is.
//!
//! - [`sandbox`]: dropping root privileges to apt's sandbox user, as
//!   apt's methods do.
//!
//! The apt method (`intoto+http`) and batch verification build on these.

pub mod archive;
pub mod check;
pub mod compressed;
pub mod deb;
pub mod method;
pub mod pacman;
pub mod policy;
pub mod rebuilder;
pub mod rebuilder_keys;
pub mod report;
pub mod sandbox;

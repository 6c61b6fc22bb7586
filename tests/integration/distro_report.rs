//! `verify-archive --report FILE.html` on the apt test's repository
//! (`apt.rs`'s `Apt`), loaded by a real browser: headless Chromium, offline
//! (every host unresolvable, a proxy that does not exist), its DOM read
//! back and its screenshot decoded to count the chart's colours. Skipped,
//! saying why, when chromium is missing, except on CI (`scripts/setup
//! --tests` installs it).

use std::fs;
use std::io::Read as _;
use std::path::Path;
use std::process::Command;

use crate::apt::{Apt, tools};
use crate::common::archive::{lines, verify_archive};
use crate::common::check;

/// Chromium's binary, or `None` (skip) off CI when it is missing.
fn chromium() -> Option<&'static str> {
    for c in ["chromium", "chromium-browser"] {
        if Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Some(c);
        }
    }
    if std::env::var_os("CI").is_some() {
        panic!("no chromium on CI: scripts/setup --tests installs it");
    }
    eprintln!("skipping the report's browser test: chromium is not installed");
    None
}

/// Runs headless Chromium offline on `page` with `mode` (`--dump-dom` or
/// `--screenshot=PATH`); its stdout.
fn browse(browser: &str, scratch: &Path, page: &Path, mode: &str) -> String {
    let out = Command::new(browser)
        .env("HOME", scratch)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--window-size=1000,800",
            "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!(
            "--user-data-dir={}",
            scratch.join("profile").display()
        ))
        .arg(mode)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The pixels of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium
/// writes): (width, height, RGB triples).
fn decode_png(bytes: &[u8]) -> (usize, usize, Vec<[u8; 3]>) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let (mut at, mut idat) = (8, Vec::new());
    let (mut w, mut h, mut channels) = (0, 0, 0);
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let kind = &bytes[at + 4..at + 8];
        let data = &bytes[at + 8..at + 8 + len];
        match kind {
            b"IHDR" => {
                w = u32::from_be_bytes(data[0..4].try_into().unwrap()) as usize;
                h = u32::from_be_bytes(data[4..8].try_into().unwrap()) as usize;
                assert_eq!((data[8], data[12]), (8, 0), "8-bit, not interlaced");
                channels = match data[9] {
                    2 => 3,
                    6 => 4,
                    t => panic!("PNG colour type {t}"),
                };
            }
            b"IDAT" => idat.extend_from_slice(data),
            _ => {}
        }
        at += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .unwrap();
    let stride = w * channels;
    let mut prev = vec![0u8; stride];
    let mut pixels = Vec::with_capacity(w * h);
    for y in 0..h {
        let line = &raw[y * (stride + 1)..(y + 1) * (stride + 1)];
        let mut cur = line[1..].to_vec();
        for i in 0..stride {
            let a = if i >= channels { cur[i - channels] } else { 0 } as i32;
            let b = prev[i] as i32;
            let c = if i >= channels { prev[i - channels] } else { 0 } as i32;
            let add = match line[0] {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => {
                    let p = a + b - c;
                    let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                f => panic!("PNG filter {f}"),
            };
            cur[i] = cur[i].wrapping_add(add as u8);
        }
        for px in cur.chunks(channels) {
            pixels.push([px[0], px[1], px[2]]);
        }
        prev = cur;
    }
    (w, h, pixels)
}

/// How many pixels have the colour `#rrggbb` (give or take 2 a channel).
fn count(pixels: &[[u8; 3]], hex: &str) -> usize {
    let c: Vec<i32> = (0..3)
        .map(|i| i32::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).unwrap())
        .collect();
    pixels
        .iter()
        .filter(|p| (0..3).all(|i| (p[i] as i32 - c[i]).abs() <= 2))
        .count()
}

#[test]
fn the_html_report_renders_in_a_browser_with_its_chart() {
    if !tools() {
        return;
    }
    let Some(browser) = chromium() else { return };
    let apt = Apt::new();
    let page = apt.root.join("report.html");
    // A third rebuilder, unreachable, whose entry is markup.
    let hostile = "http://127.0.0.1:9/<script>alert(1)</script>";
    let b = format!("{}/", apt.rebuilder_b.url);
    let out = check(
        verify_archive(
            &apt,
            &[
                "--report",
                page.to_str().unwrap(),
                "--allow",
                "nol*",
                "--deny",
                "good3",
                "--rebuilder",
                &apt.rebuilder_a.url,
                "--rebuilder",
                &b,
                "--rebuilder",
                hostile,
                "--timeout",
                "5",
            ],
        ),
        1,
    );
    let (_, summary) = lines(&out);
    assert_eq!(summary["verified"], 3);
    let html = fs::read_to_string(&page).unwrap();
    // Nothing to fetch: no script, stylesheet, image or frame, and a
    // policy that forbids loading anything.
    for tag in ["<script", "<link", "<img", "<iframe", "@import", "url("] {
        assert!(!html.contains(tag), "{tag} in the report");
    }
    assert!(html.contains("default-src 'none'"));

    let scratch = apt.env.path("chromium");
    fs::create_dir_all(&scratch).unwrap();
    let dom = browse(browser, &scratch, &page, "--dump-dom");
    assert!(!dom.contains("<script"), "{dom}");
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{dom}"
    );
    assert!(dom.contains("<svg id=\"chart\""), "{dom}");
    // The totals: all, then the repository's one component/architecture.
    let totals = dom.split("<tr id=\"count-all\">").nth(1).unwrap();
    let cells: Vec<&str> = totals
        .split("</tr>")
        .next()
        .unwrap()
        .split("<td class=\"n ")
        .skip(1)
        .map(|c| c.split_once("</td>").unwrap().0)
        .collect();
    assert_eq!(
        cells,
        [
            "verified\">3",
            "failed\">1",
            "missing\">1",
            "allowed\">1",
            "denied\">1"
        ]
    );
    assert!(
        dom.contains("<tr id=\"count-0\"><td>-</td><td>all</td>"),
        "{dom}"
    );
    // Two bars (all, and -/all), one segment of each outcome in each.
    for cls in ["verified", "failed", "missing", "allowed", "denied"] {
        assert_eq!(
            dom.matches(&format!("class=\"seg {cls}\"")).count(),
            2,
            "{cls}"
        );
    }
    assert!(
        dom.contains("class=\"seg verified\" data-count=\"3\""),
        "{dom}"
    );
    // The packages that did not verify come first, each with its rule
    // and stage.
    let packages = dom.split("<table id=\"packages\">").nth(1).unwrap();
    let classes: Vec<&str> = packages
        .split("<tr class=\"")
        .skip(1)
        .map(|r| r.split_once('"').unwrap().0)
        .collect();
    assert_eq!(
        classes,
        [
            "failed", "denied", "missing", "allowed", "verified", "verified", "verified"
        ]
    );
    let failed = packages
        .split("<tr class=\"failed\">")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(failed.contains("<td>differs</td>"), "{failed}");
    assert!(failed.contains("<td>inspection rules</td>"), "{failed}");
    assert!(
        packages.contains("<td>deny good3</td><td>policy</td>"),
        "{packages}"
    );
    assert!(packages.contains("<td>allow nol*</td>"), "{packages}");
    // Every rebuilder, with its answers.
    let rebuilders = dom.split("<table id=\"rebuilders\">").nth(1).unwrap();
    assert_eq!(rebuilders.matches("<tr><td>").count(), 3, "{rebuilders}");

    // The screenshot: the chart's colours in proportion (3 verified to 1
    // of each other outcome, two bars each, and the legend's squares).
    let shot = scratch.join("report.png");
    browse(
        browser,
        &scratch,
        &page,
        &format!("--screenshot={}", shot.display()),
    );

    let (w, h, pixels) = decode_png(&fs::read(&shot).unwrap());
    assert_eq!((w, h), (1000, 800));
    let verified = count(&pixels, "#2e7d32");
    let others: Vec<usize> = ["#c62828", "#f9a825", "#1565c0", "#6a1b9a"]
        .iter()
        .map(|c| count(&pixels, c))
        .collect();
    eprintln!("chart pixels: verified {verified}, others {others:?}");
    for n in &others {
        // Two bar segments of 85 by 18 pixels at least, and the legend.
        assert!(*n >= 2 * 85 * 18, "{others:?}");
    }
    assert!(verified >= 2 * 257 * 18, "{verified}");
    assert!(verified > 2 * others[0], "{verified} {others:?}");
}

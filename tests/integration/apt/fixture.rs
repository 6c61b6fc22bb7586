//! The apt fixture: test packages, a signed flat repository, rebuilders
//! and a redirecting mirror on loopback, and apt's isolated configuration
//! (used by `apt.rs`, `apt_check.rs`, `apt_signatures.rs` and the distro
//! tests).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::loopback::{Server, files, rebuilderd, redirect_all, serve};
use crate::common::{Env, bin, is_root};

/// Is `tool` on PATH?
pub(crate) fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// True when the tools are there; false (skip) when they are missing off
/// CI; a failure when they are missing on CI.
pub(crate) fn tools() -> bool {
    let missing: Vec<&str> = ["apt-get", "apt-ftparchive", "dpkg-deb", "gpg"]
        .into_iter()
        .filter(|t| !have(t))
        .chain(
            (!Path::new("/usr/lib/apt/methods/http").exists())
                .then_some("/usr/lib/apt/methods/http"),
        )
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "missing {} on CI: scripts/setup --tests installs apt-utils and dpkg-dev",
            missing.join(", ")
        );
    }
    eprintln!(
        "skipping the apt method test: {} not installed (scripts/setup --tests installs them)",
        missing.join(", ")
    );
    false
}

pub(crate) const GOOD: [&str; 4] = ["good1", "good2", "good3", "good4"];

/// The whole setup: packages, repository, rebuilders, apt's configuration.
pub(crate) struct Apt {
    pub(crate) env: Env,
    pub(crate) root: PathBuf,
    pub(crate) mirror: Server,
    pub(crate) redirector: Server,
    pub(crate) rebuilder_a: Server,
    pub(crate) rebuilder_b: Server,
    pub(crate) rebuilder_v1: Server,
    pub(crate) alice: String,
    /// `APT::Sandbox::User` when run as root (default "root": stay).
    pub(crate) sandbox: std::cell::RefCell<String>,
}

impl Apt {
    /// The repository's packages copied into `dl/`, as a download
    /// directory holds them; returns `dl/`.
    pub(crate) fn downloaded(&self) -> PathBuf {
        let dl = self.root.join("dl");
        for e in fs::read_dir(self.root.join("repo/pool")).unwrap() {
            let p = e.unwrap().path();
            fs::copy(&p, dl.join(p.file_name().unwrap())).unwrap();
        }
        dl
    }

    pub(crate) fn new() -> Apt {
        let env = Env::new();
        let root = env.path("apt");
        for d in [
            "repo/pool",
            "build",
            "links/a",
            "links/b",
            "state/lists/partial",
            "cache/archives/partial",
            "etc/apt.conf.d",
            "etc/preferences.d",
            "etc/sources.list.d",
            "etc/trusted.gpg.d",
            "methods",
            "log",
            "dl",
            "tmp",
        ] {
            fs::create_dir_all(root.join(d)).unwrap();
        }
        fs::write(root.join("status"), "").unwrap();
        // Rebuilders sign with PEM keys; the layout owner is alice's
        // GnuPG key; bob's GnuPG key signs the repository.
        env.key("bob.pem");
        env.key("carl.pem");
        for k in ["bob.pub", "carl.pub"] {
            env.key(k);
        }
        let alice = env.fpr("alice");
        let bob_gpg = env.fpr("bob");
        // root.layout's inspection is `true`; slow.layout's sleeps (a
        // check that is still running when the method is killed).
        for (layout, run) in [
            ("root.layout", "/usr/bin/true"),
            ("slow.layout", "sleep 30"),
        ] {
            env.ok(format!("layout new {layout} --expires 2099-01-01"));
            let bob = env
                .ok(format!("layout add-key {layout} --key bob.pub"))
                .stdout;
            let carl = env
                .ok(format!("layout add-key {layout} --key carl.pub"))
                .stdout;
            env.ok((
                format!(
                    "layout add-step {layout} --name rebuild --threshold 2 --functionary {} --functionary {}",
                    bob.trim(),
                    carl.trim()
                ),
                ["--product", "CREATE {DEB}", "--product", "DISALLOW *"],
            ));
            env.ok((
                format!("layout add-inspection {layout} --name verify-reprobuilds"),
                [
                    "--run",
                    run,
                    "--material",
                    "MATCH {PACKAGE}_*_all.deb WITH PRODUCTS FROM rebuild",
                    "--material",
                    "DISALLOW *",
                ],
            ));
            env.ok(format!("sign -f {layout} --gpg {alice}"));
            fs::copy(env.work().join(layout), root.join(layout)).unwrap();
        }
        let ring = gpg(&env, &["--export", &alice]);
        fs::write(root.join("owner.gpg"), ring).unwrap();
        fs::write(
            root.join("etc/trusted.gpg"),
            gpg(&env, &["--export", &bob_gpg]),
        )
        .unwrap();

        // The packages; each rebuilder records what it rebuilt.
        let all: Vec<&str> = GOOD
            .iter()
            .copied()
            .chain(["differs", "nolinks", "onelink"])
            .collect();
        for p in &all {
            let deb = build_deb(&root.join("build"), p, "mirror");
            fs::copy(&deb, root.join("repo/pool").join(deb.file_name().unwrap())).unwrap();
            let rebuilt = match *p {
                "differs" => build_deb(&root.join("build/other"), p, "rebuilt elsewhere"),
                _ => deb,
            };
            let who: &[(&str, &str)] = match *p {
                "nolinks" => &[],
                "onelink" => &[("a", "bob.pem")],
                _ => &[("a", "bob.pem"), ("b", "carl.pem")],
            };
            for (r, key) in who {
                let link = env.rebuilder_link(&format!("rec-{r}-{p}"), &rebuilt, key);
                let to = root.join(format!("links/{r}/sources/{p}/1.0"));
                fs::create_dir_all(&to).unwrap();
                fs::copy(link, to.join("metadata")).unwrap();
            }
        }
        // The repository, signed.
        let repo = root.join("repo");
        let packages = tool(
            Command::new("apt-ftparchive")
                .args(["packages", "pool"])
                .current_dir(&repo),
        );
        fs::write(repo.join("Packages"), packages).unwrap();
        sign_release(&env, &repo);

        let mirror = serve(files(repo));
        let redirector = serve(redirect_all(mirror.url.clone()));
        let rebuilder_a = serve(files(root.join("links/a")));
        let rebuilder_b = serve(files(root.join("links/b")));
        let v1_links: Vec<(String, Vec<u8>)> = all
            .iter()
            .filter_map(|p| {
                let f = root.join(format!("links/b/sources/{p}/1.0/metadata"));
                fs::read(f).ok().map(|b| (p.to_string(), b))
            })
            .collect();
        let rebuilder_v1 = serve(rebuilderd(v1_links));
        std::os::unix::fs::symlink(bin(), root.join("methods/intoto+http")).unwrap();
        let apt = Apt {
            env,
            root,
            mirror,
            redirector,
            rebuilder_a,
            rebuilder_b,
            rebuilder_v1,
            alice,
            sandbox: std::cell::RefCell::new("root".to_owned()),
        };
        apt.configure(&apt.mirror.url, "", false);
        apt
    }

    /// Writes apt's configuration: the repository at `mirror` through
    /// `intoto+http`, with `intoto` settings `extra` (the layout, the
    /// rebuilders a and b, and the owner keyring unless `extra` sets
    /// them), and NoFail.
    pub(crate) fn configure(&self, mirror: &str, extra: &str, no_fail: bool) {
        let r = &self.root;
        let d = r.display();
        let sandbox = if is_root() {
            format!("APT::Sandbox::User \"{}\";\n", self.sandbox.borrow())
        } else {
            String::new()
        };
        let mut intoto = extra.to_owned();
        if !extra.contains("Layout") {
            intoto.push_str(&format!("  Layout \"{d}/root.layout\";\n"));
        }
        if !extra.contains("Rebuilders") {
            intoto.push_str(&format!(
                "  Rebuilders {{ \"{}\"; \"{}/\"; }};\n",
                self.rebuilder_a.url, self.rebuilder_b.url
            ));
        }
        if !extra.contains("Keyids") && !extra.contains("Keyring") {
            intoto.push_str(&format!("  Keyring \"{d}/owner.gpg\";\n"));
        }
        let conf = format!(
            "Dir \"{d}/\";\n\
             Dir::State \"{d}/state/\";\n\
             Dir::State::status \"{d}/status\";\n\
             Dir::Cache \"{d}/cache/\";\n\
             Dir::Etc \"{d}/etc/\";\n\
             Dir::Etc::sourcelist \"{d}/etc/sources.list\";\n\
             Dir::Etc::sourceparts \"{d}/etc/sources.list.d\";\n\
             Dir::Etc::trusted \"{d}/etc/trusted.gpg\";\n\
             Dir::Etc::trustedparts \"{d}/etc/trusted.gpg.d\";\n\
             Dir::Etc::parts \"{d}/etc/apt.conf.d\";\n\
             Dir::Etc::preferencesparts \"{d}/etc/preferences.d\";\n\
             Dir::Log \"{d}/log\";\n\
             Dir::Bin::Methods::intoto+http \"{d}/methods/intoto+http\";\n\
             {sandbox}\
             Debug::NoLocking \"true\";\n\
             Acquire::AllowInsecureRepositories \"false\";\n\
             Acquire::Languages \"none\";\n\
             Acquire::http::Pipeline-Depth \"0\";\n\
             APT::Intoto {{\n{intoto}  NoFail \"{no_fail}\";\n}};\n"
        );
        fs::write(r.join("apt.conf"), conf).unwrap();
        let host = mirror.trim_start_matches("http://");
        fs::write(
            r.join("etc/sources.list"),
            format!("deb intoto+http://{host}/ ./\n"),
        )
        .unwrap();
    }

    /// `apt-get ARGS` in the download directory, with this configuration
    /// only (and `$TMPDIR` the private `tmp/`).
    pub(crate) fn apt_get_cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("apt-get");
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("APT_CONFIG", self.root.join("apt.conf"))
            .env("LC_ALL", "C")
            .env("HOME", self.env.path(""))
            .env("TMPDIR", self.root.join("tmp"))
            .args(["-q", "-y"])
            .args(args)
            .current_dir(self.root.join("dl"))
            .stdin(Stdio::null());
        c
    }

    /// `apt-get ARGS`: (success, stdout + stderr).
    pub(crate) fn apt_get(&self, args: &[&str]) -> (bool, String) {
        let out = self.apt_get_cmd(args).output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains("panicked"), "{text}");
        (out.status.success(), text)
    }

    #[track_caller]
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let (ok, text) = self.apt_get(args);
        assert!(ok, "apt-get {args:?} failed:\n{text}");
        text
    }

    #[track_caller]
    pub(crate) fn fails(&self, args: &[&str], needle: &str) -> String {
        let (ok, text) = self.apt_get(args);
        assert!(!ok, "apt-get {args:?} succeeded:\n{text}");
        assert!(text.contains(needle), "no {needle:?} in:\n{text}");
        text
    }

    /// `.deb` files apt left anywhere under the download directory and the
    /// cache.
    pub(crate) fn debs(&self) -> Vec<String> {
        let mut out = Vec::new();
        for d in ["dl", "cache/archives", "cache/archives/partial"] {
            for e in fs::read_dir(self.root.join(d)).unwrap() {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                if name.ends_with(".deb") {
                    out.push(format!("{d}/{name}"));
                }
            }
        }
        out.sort();
        out
    }

    /// What the method left in its `$TMPDIR`.
    pub(crate) fn temp_left(&self) -> Vec<String> {
        let mut left: Vec<String> = fs::read_dir(self.root.join("tmp"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        left
    }

    pub(crate) fn clean(&self) {
        for d in ["dl", "cache/archives", "cache/archives/partial"] {
            for e in fs::read_dir(self.root.join(d)).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "deb") {
                    fs::remove_file(p).unwrap();
                }
            }
        }
    }
}

impl Drop for Apt {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(&self.env.gnupg)
            .args(["--kill", "all"])
            .output();
    }
}

/// Writes the repository's `Release` (apt-ftparchive: every index in
/// `repo`) and `InRelease`, signed by bob's GnuPG key, as the archive
/// keyring `etc/trusted.gpg` expects.
pub(crate) fn sign_release(env: &Env, repo: &Path) {
    let release = tool(
        Command::new("apt-ftparchive")
            .args([
                "-o",
                "APT::FTPArchive::Release::Suite=test",
                "-o",
                "APT::FTPArchive::Release::Codename=test",
                "release",
                ".",
            ])
            .current_dir(repo),
    );
    fs::write(repo.join("Release"), release).unwrap();
    let mut c = Command::new("gpg");
    c.arg("--homedir")
        .arg(&env.gnupg)
        .args([
            "--batch",
            "--yes",
            "--local-user",
            &env.fpr("bob"),
            "--clearsign",
            "-o",
        ])
        .arg(repo.join("InRelease"))
        .arg(repo.join("Release"));
    tool(&mut c);
    fs::symlink_metadata(repo.join("InRelease")).unwrap();
}

/// Runs a tool, asserting it succeeds; its stdout.
#[track_caller]
pub(crate) fn tool(c: &mut Command) -> Vec<u8> {
    let out = c.stdin(Stdio::null()).output().unwrap();
    assert!(
        out.status.success(),
        "{c:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

pub(crate) fn gpg(env: &Env, args: &[&str]) -> Vec<u8> {
    tool(
        Command::new("gpg")
            .arg("--homedir")
            .arg(&env.gnupg)
            .arg("--batch")
            .args(args),
    )
}

/// `{dir}/{name}_1.0_all.deb`, holding `content`.
pub(crate) fn build_deb(dir: &Path, name: &str, content: &str) -> PathBuf {
    let tree = dir.join(format!("tree-{name}"));
    fs::create_dir_all(tree.join("DEBIAN")).unwrap();
    fs::create_dir_all(tree.join(format!("usr/share/doc/{name}"))).unwrap();
    fs::write(
        tree.join("DEBIAN/control"),
        format!(
            "Package: {name}\nVersion: 1.0\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: test package {name}\n"
        ),
    )
    .unwrap();
    fs::write(
        tree.join(format!("usr/share/doc/{name}/README")),
        format!("{name}: {content}\n"),
    )
    .unwrap();
    let out = dir.join(format!("{name}_1.0_all.deb"));
    tool(
        Command::new("dpkg-deb")
            .args(["--root-owner-group", "-Zgzip", "--build"])
            .arg(&tree)
            .arg(&out),
    );
    out
}

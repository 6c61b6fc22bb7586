#!/usr/bin/env python3
"""Builds testdata/thirdparty/<case>/ from fetched third-party repositories,
runs the Python reference on each case and records what it did.

Run with the reference venv's python (it re-signs unsigned templates with
the reference's own API, as the reference's tests do)."""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(OUT))
REF = os.path.join(os.environ.get("INTOTO_REF_VENV", os.path.join(ROOT, ".venv-ref")), "bin")
# THIRDPARTY_MIRROR: a directory of bare clones named owner+name/repo.
MIRROR = os.environ.get("THIRDPARTY_MIRROR", "")
INTOTO = os.path.join(ROOT, "target/debug/intoto")

REPOS = {
    "apt": ("in-toto/apt-transport-in-toto", "Apache-2.0"),
    "go": ("in-toto/in-toto-golang", "Apache-2.0"),
    "rs": ("in-toto/in-toto-rs", "MIT"),
    "py": ("in-toto/in-toto", "Apache-2.0"),
    "kubectl": ("in-toto/kubectl-in-toto", "MIT"),
    "rt": ("kpcyrd/repro-threshold", "Apache-2.0 OR MIT-0"),
    "av": ("in-toto/attestation-verifier", "Apache-2.0"),
    "att": ("in-toto/attestation", "Apache-2.0"),
    "dsse": ("secure-systems-lab/dsse", "Apache-2.0"),
    "gittuf": ("gittuf/gittuf", "Apache-2.0"),
}


def gitdir(r):
    if not MIRROR:
        sys.exit("set THIRDPARTY_MIRROR to a directory of bare clones")
    return f"{MIRROR}/{REPOS[r][0].replace('/', '+')}/repo"


def rev(r, commit):
    return subprocess.check_output(
        ["git", "--git-dir", gitdir(r), "rev-parse", commit], text=True
    ).strip()


def show(r, commit, path):
    return subprocess.check_output(
        ["git", "--git-dir", gitdir(r), "show", f"{commit}:{path}"]
    )


def gpg(home, *args):
    subprocess.run(
        ["gpg", "--homedir", home, "--batch", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def make_home(case_dir, home, sources):
    h = os.path.join(case_dir, home)
    os.makedirs(h, mode=0o700)
    for s in sources:
        gpg(h, "--import", os.path.join(case_dir, s))
    subprocess.run(["gpgconf", "--homedir", h, "--kill", "all"])
    for junk in ("random_seed", ".gpg-v21-migrated", "pubring.kbx~"):
        p = os.path.join(h, junk)
        if os.path.exists(p):
            os.remove(p)
    for d in os.listdir(h):
        if os.path.isdir(os.path.join(h, d)) and not os.listdir(os.path.join(h, d)):
            os.rmdir(os.path.join(h, d))


def last_error(stderr):
    lines = [l for l in stderr.splitlines() if l.strip()]
    for l in reversed(lines):
        if "(in-toto-" in l or "error" in l.lower():
            return l.strip()
    return lines[-1].strip() if lines else ""


def run(case_dir, meta, argv0, extra, no_expiry=False):
    with tempfile.TemporaryDirectory(dir="/tmp") as t:
        work = os.path.join(t, "c")
        shutil.copytree(case_dir, work, symlinks=True)
        for h in meta["gpg_homes"]:
            os.chmod(os.path.join(work, h), 0o700)
        env = {k: v for k, v in os.environ.items() if k not in ("GNUPGHOME", "GNUPG")}
        env["NO_COLOR"] = "1"
        if no_expiry:
            code = (
                "import sys, hashlib, in_toto.verifylib as v, in_toto.in_toto_verify as m\n"
                "from securesystemslib.formats import encode_canonical\n"
                "orig = m.load_public_key_from_file\n"
                "def legacy(path):\n"
                "    k = orig(path)\n"
                "    d = {'keytype': k['keytype'], 'scheme': k['scheme'], 'keyid_hash_algorithms': ['sha256', 'sha512'],"
                " 'keyval': {'public': k['keyval']['public'].strip()}}\n"
                "    k['keyid'] = hashlib.sha256(encode_canonical(d).encode()).hexdigest()\n"
                "    return k\n"
                "m.load_public_key_from_file = legacy\n"
                + ("v.verify_layout_expiration = lambda l: None\n" if no_expiry == "time" else "")
                + "sys.argv[0] = 'in-toto-verify'; m.main()"
            )
            if meta["command"][0] == "in-toto-sign":
                code = code.replace("in_toto.in_toto_verify as m", "in_toto.in_toto_sign as m").replace(
                    "'in-toto-verify'", "'in-toto-sign'")
            cmd = [REF + "/python", "-c", code] + meta["command"][1:]
        else:
            cmd = argv0 + meta["command"][1:] + extra
        p = subprocess.run(
            cmd,
            cwd=os.path.join(work, meta["cwd"]),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
        )
        for h in meta["gpg_homes"]:
            subprocess.run(
                ["gpgconf", "--homedir", os.path.join(work, h), "--kill", "all"],
                capture_output=True,
            )
        return p.returncode, p.stderr


# --- re-signing, the way the reference's tests do ---------------------------


def sign_pem(layout_path, key_pem, expires="2099-12-31T00:00:00Z", raw=False):
    """Loads the template with the reference's Metablock, sets `expires`,
    signs with the reference's CryptoSigner (as tests/test_verifylib.py)."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    from securesystemslib.signer import CryptoSigner
    from in_toto.models.metadata import Metablock

    signer = CryptoSigner(load_pem_private_key(key_pem, None))
    if raw:
        # Sign the template's `signed` object exactly as it is (no expires
        # added), over its canonical JSON.
        from securesystemslib.formats import encode_canonical

        d = json.load(open(layout_path))
        sig = signer.sign(encode_canonical(d["signed"]).encode())
        d["signatures"] = [sig.to_dict()]
        json.dump(d, open(layout_path, "w"), indent=1, sort_keys=True)
        return
    d = json.load(open(layout_path))
    d["signed"]["expires"] = expires
    json.dump(d, open(layout_path, "w"), indent=1, sort_keys=True)
    mb = Metablock.load(layout_path)
    mb.signatures = []
    mb.create_signature(signer)
    mb.dump(layout_path)


def sign_pem_dsse(layout_path, key_pem, expires="2099-12-31T00:00:00Z"):
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    from securesystemslib.signer import CryptoSigner
    from in_toto.models.metadata import Envelope
    from in_toto.models.layout import Layout

    signer = CryptoSigner(load_pem_private_key(key_pem, None))
    env = Envelope.load(layout_path)
    payload = json.loads(env.payload)
    payload["expires"] = expires
    for insp in payload["inspect"]:
        if insp["run"] == ["python", "./scripts/tar", "xfz", "foo.tar.gz"]:
            insp["run"] = ["tar", "xfz", "foo.tar.gz"]
    layout = Layout.read(payload)
    new = Envelope.from_signable(layout)
    new.create_signature(signer)
    new.dump(layout_path)


def sign_gpg_old_keyring(layout_path, secring_files, keyid, expires="2099-12-31T00:00:00Z"):
    from in_toto.models.metadata import Metablock

    with tempfile.TemporaryDirectory(dir="/tmp") as t:
        home = os.path.join(t, "g")
        os.makedirs(home, mode=0o700)
        for name, data in secring_files.items():
            open(os.path.join(home, name), "wb").write(data)
        d = json.load(open(layout_path))
        d["signed"]["expires"] = expires
        json.dump(d, open(layout_path, "w"), indent=1, sort_keys=True)
        mb = Metablock.load(layout_path)
        mb.signatures = []
        mb.sign_gpg(keyid, home)
        mb.dump(layout_path)
        subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"], capture_output=True)


def legacy_pem_entry(pem_text):
    """The layout entry of an Ed25519 SPKI public key under the legacy
    securesystemslib key id (keyid_hash_algorithms hashed in), the id
    rebuilderd (in-toto-rs) signs under; computed here independently of
    intoto."""
    from securesystemslib.formats import encode_canonical
    import hashlib

    # rebuilderd's keys are SPKIs with an explicit NULL as algorithm
    # parameters (RFC 8410 says absent), which pyca/cryptography refuses:
    # read the DER by hand.
    lines = pem_text.decode().strip().splitlines()
    assert lines[0] == "-----BEGIN PUBLIC KEY-----" and lines[-1] == "-----END PUBLIC KEY-----"
    der = base64.b64decode("".join(lines[1:-1]))
    prefix = bytes.fromhex("302c300706032b65700500032100")
    assert der.startswith(prefix) and len(der) == len(prefix) + 32, der.hex()
    raw = der[len(prefix):].hex()
    d = {"keytype": "ed25519", "scheme": "ed25519",
         "keyid_hash_algorithms": ["sha256", "sha512"], "keyval": {"public": raw}}
    d["keyid"] = hashlib.sha256(encode_canonical(d).encode()).hexdigest()
    return d


def own_layout(case_dir, signed, key_pem):
    """Writes `signed` as root.layout, signed with this repository's test
    key (the reference's Metablock and CryptoSigner)."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    from securesystemslib.signer import CryptoSigner
    from in_toto.models.metadata import Metablock

    path = os.path.join(case_dir, "root.layout")
    json.dump({"signatures": [], "signed": signed}, open(path, "w"), indent=1, sort_keys=True)
    mb = Metablock.load(path)
    mb.create_signature(CryptoSigner(load_pem_private_key(key_pem, None)))
    mb.dump(path)


# --- cases -------------------------------------------------------------------

exec(open(os.path.join(HERE, "cases.py")).read())


def build(spec):
    cid = spec["id"]
    d = os.path.join(OUT, cid)
    if os.path.exists(d):
        shutil.rmtree(d)
    os.makedirs(d)
    r = spec["repo"]
    commit = rev(r, spec["commit"])
    paths = []
    for dest, src in spec["files"].items():
        if isinstance(src, tuple):
            c2, p = src
            c2 = rev(r, c2)
        else:
            c2, p = commit, src
        paths.append(p if c2 == commit else f"{p} (at {c2})")
        data = show(r, c2, p)
        full = os.path.join(d, dest)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        open(full, "wb").write(data)
    # files written from a JSON block of a document (spec examples, test
    # vectors) by the case's `resign` step: their source is the document
    paths += spec.get("extracted", [])
    for sub in spec.get("mkdirs", []):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    if "resign" in spec:
        spec["resign"](d)
    homes = spec.get("gpg_homes", {})
    for h, srcs in homes.items():
        make_home(d, h, srcs)
    meta = {
        "id": cid,
        "description": spec["description"],
        "source": {
            "repository": "https://github.com/" + REPOS[r][0],
            "commit": commit,
            "paths": sorted(set(paths)),
            "license": REPOS[r][1],
        },
        "command": spec["command"],
        "cwd": spec.get("cwd", "final"),
        "gpg_homes": sorted(homes),
    }
    if homes:
        meta["gpg_home_sources"] = homes
    if spec.get("resigned"):
        meta["resigned"] = spec["resigned"]
    if spec.get("layout"):
        meta["layout"] = spec["layout"]
    if spec.get("tampered"):
        meta["tampered"] = spec["tampered"]
    os.makedirs(os.path.join(d, meta["cwd"]), exist_ok=True)
    argv0 = [os.path.join(REF, spec["command"][0])]
    rc, err = run(d, meta, argv0, [])
    meta["reference"] = "in-toto 3.1.0, securesystemslib 1.6.0, " + subprocess.check_output(
        ["gpg", "--version"], text=True
    ).splitlines()[0]
    meta["reference_exit_code"] = rc
    if rc != 0:
        meta["reference_error"] = last_error(err)
    if spec.get("oracle"):
        rc2, err2 = run(d, meta, argv0, [], no_expiry=spec["oracle"])
        meta["reference_corrected"] = (
            "the reference with --verification-keys given the legacy securesystemslib key id "
            "(sha256 over the canonical key dict with keyid_hash_algorithms and the stripped PEM)"
            + (", and with its layout expiry check disabled" if spec["oracle"] == "time" else "")
        )
        meta["reference_corrected_exit_code"] = rc2
        if rc2 != 0:
            meta["reference_corrected_error"] = last_error(err2)
    if spec["intoto_exit_code"] is None:
        spec["intoto_exit_code"] = meta["reference_corrected_exit_code"]
    meta["intoto_exit_code"] = spec["intoto_exit_code"]
    if spec.get("intoto_stderr_contains"):
        meta["intoto_stderr_contains"] = spec["intoto_stderr_contains"]
    if spec.get("intoto_args"):
        meta["intoto_args"] = spec["intoto_args"]
    if spec["intoto_exit_code"] != rc or spec.get("intoto_args"):
        meta["intoto_why"] = spec.get("intoto_why", "TODO")
    for k in ("tags", "notes"):
        if k in spec:
            meta[k] = spec[k]
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    # today's intoto, for the report only
    irc, ierr = run(
        d, meta, [INTOTO, spec["command"][0].removeprefix("in-toto-")], spec.get("intoto_args", [])
    )
    status = "OK " if irc == spec["intoto_exit_code"] and spec.get("intoto_stderr_contains", "") in ierr else "BAD"
    print(
        f"{status} {cid}: ref={rc} want={spec['intoto_exit_code']} intoto-now={irc}"
        + (f"\n     ref: {meta.get('reference_error','')}" if rc else "")
        + (
            f"\n     ref(corrected)={meta['reference_corrected_exit_code']} {meta.get('reference_corrected_error','')}"
            if spec.get("oracle")
            else ""
        )
        + (f"\n     intoto: {last_error(ierr)}" if irc else "")
    )


def outcome(code):
    return {0: "0 verified", 1: "1 fails", 2: "2 usage"}.get(code, str(code))


def readme():
    head = open(os.path.join(HERE, "README.head.md")).read()
    rows = [
        "| case | source | covers | reference | intoto | why they differ |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for spec in CASES:
        m = json.load(open(os.path.join(OUT, spec["id"], "case.json")))
        src = m["source"]["repository"].removeprefix("https://github.com/") + " @" + m["source"]["commit"][:7]
        ref = outcome(m["reference_exit_code"])
        if m["reference_exit_code"]:
            ref += ": " + m["reference_error"].replace("(in-toto-verify) ", "").replace("|", "\\|")[:90]
        why = m.get("intoto_why", "") if m["intoto_exit_code"] != m["reference_exit_code"] else m.get("notes", "")
        if m.get("intoto_args"):
            why = "intoto_args " + " ".join(m["intoto_args"]) + ". " + why
        cell = lambda t: t.replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{m['id']}` | {src} | {cell(m['description'])} | {cell(ref)} | {outcome(m['intoto_exit_code'])} | {cell(why)} |")
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write(head + "\n".join(rows) + "\n")


if __name__ == "__main__":
    want = set(sys.argv[1:]) - {"--readme"}
    if "--readme" not in sys.argv:
        for spec in CASES:
            if not want or spec["id"] in want:
                build(spec)
    readme()

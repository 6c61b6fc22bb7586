ALICE_GPG = "88876A89E3D4698F83D3DB0E72E33CA3E0E04E46"
APT = "81fd97e47b66244f296d42849ce99d09b608b965"
RT = "5648b1c"
GO = "36d782ffb2ca3adbffcdce1fd971c23319dd4469"
RS = "48e57fd04624d30d081fae1dddf56caaa4a5b81e"
PY = "9a1efed3fa8b23d949531b80fbc013ace249ff76"
KC = "7d0974414e98ae160dbf4815d5a4f4dad8f497df"

apt_files = lambda deb: {
    "root.layout": "tests/data/test.layout",
    "links/rebuild.5863835e.link": "tests/data/rebuild.5863835e.link",
    "links/rebuild.e946fc60.link": "tests/data/rebuild.e946fc60.link",
    "keys/alice.asc": "tests/data/alice.asc",
    "final/final-product_0.0.0.0-0_all.deb": f"tests/data/{deb}/final-product_0.0.0.0-0_all.deb",
}
APT_WHY_NO_CT = ("apt-transport-in-toto's layout lists the rebuilders' GnuPG keys without "
                 "creation_time (written by securesystemslib 0.x); such key dicts are accepted with the key id as given")
GPG_CMD = ["in-toto-verify", "--layout", "../root.layout", "--gpg", ALICE_GPG,
           "--gpg-home", "../gnupg", "--link-dir", "../links"]
NOKEY_CMD = ["in-toto-verify", "--layout", "../root.layout", "--link-dir", "../links"]

go_demo = {
    "root.layout": "test/data/demo.layout",
    "keys/alice.pub": "test/data/alice.pub",
    "links/write-code.b7d643de.link": "test/data/write-code.b7d643de.link",
    "links/package.d3ffd108.link": "test/data/package.d3ffd108.link",
    "final/foo.tar.gz": "test/data/foo.tar.gz",
}
PEM_CMD = ["in-toto-verify", "--layout", "../root.layout", "--verification-keys",
           "../keys/alice.pub", "--link-dir", "../links"]

rs_files = {
    "root.layout": "tests/test_verifylib/workdir/root.layout",
    "keys/alice.pub": "tests/test_verifylib/workdir/alice.pub",
    "links/clone.776a00e2.link": "tests/test_verifylib/links/clone.776a00e2.link",
    "links/update-version.776a00e2.link": "tests/test_verifylib/links/update-version.776a00e2.link",
    "links/package.2f89b927.link": "tests/test_verifylib/links/package.2f89b927.link",
    "final/demo-project.tar.gz": "tests/test_verifylib/workdir/demo-project.tar.gz",
}

def py_key(path, commit=PY):
    return lambda: show("py", commit, path)

def demo_files(links_commit=PY, links_dir="tests/demo_files"):
    return {
        "root.layout": ("fd02124^", "tests/demo_files/demo.layout.template"),
        "keys/alice.pub": "tests/demo_files/alice.pub",
        "keys/bob.pub": "tests/demo_files/bob.pub",
        "keys/carl.pub": "tests/demo_files/carl.pub",
        "links/write-code.776a00e2.link": (links_commit, f"{links_dir}/write-code.776a00e2.link"),
        "links/package.2f89b927.link": (links_commit, f"{links_dir}/package.2f89b927.link"),
        "final/foo.tar.gz": "tests/demo_files/foo.tar.gz",
    }

RESIGN_PEM = ("unsigned template demo.layout.template (as of cf4ca35, 2018-06-01, the last version whose untar inspection runs plain `tar` rather than the repository's ./scripts/tar wrapper): loaded with the reference's Metablock, "
              "expires set to 2099-12-31T00:00:00Z, signed with the reference's CryptoSigner and "
              "the repository's own test key tests/demo_files/alice (as tests/test_verifylib.py "
              "does); the links keep their original third-party signatures")

SDIST = "doc/metadata/layout for sdist"
BDIST = "doc/metadata/layout for sdist and bdist"
SDIST_COMMIT = "b82d67e"
sdist_files = {
    "root.layout": f"{SDIST}/in-toto-sdist-signed.layout",
    "keys/alice.pub": f"{SDIST}/keys/alice.pub",
    "keys/bob.pub": f"{SDIST}/keys/bob.pub",
    "links/git-tag.776a00e2.link": f"{SDIST}/git-tag.776a00e2.link",
    "links/create-sdist.776a00e2.link": f"{SDIST}/create-sdist.776a00e2.link",
    "final/in-toto-1.0.1.tar.gz": f"{SDIST}/in-toto-1.0.1.tar.gz",
}
bdist_files = {
    "root.layout": f"{BDIST}/in-toto-sdist-bdist-signed.layout",
    "keys/alice.pub": f"{BDIST}/keys/alice.pub",
    "keys/bob.pub": f"{BDIST}/keys/bob.pub",
    "links/git-tag.776a00e2.link": f"{BDIST}/git-tag.776a00e2.link",
    "links/create-sdist-bdist.776a00e2.link": f"{BDIST}/create-sdist-bdist.776a00e2.link",
    "final/in-toto-1.1.0.tar.gz": f"{BDIST}/in-toto-1.1.0.tar.gz",
    "final/in_toto-1.1.0-py3-none-any.whl": f"{BDIST}/in_toto-1.1.0-py3-none-any.whl",
}

kc_files = {
    "root.layout": "example/verification/root.layout",
    "keys/root_key.pub": "example/verification/root_key.pub",
    "keys/functionary.pub": "example/project-owner/functionary.pub",
    "links/build.f5c8b97a.link": "example/verification/build.f5c8b97a.link",
    "final/image_id": "example/verification/image_id",
}
KC_CMD = ["in-toto-verify", "--layout", "../root.layout", "--verification-keys",
          "../keys/root_key.pub", "--link-dir", "../links"]

def resign_pem(d, key=py_key("tests/demo_files/alice"), **kw):
    sign_pem(os.path.join(d, "root.layout"), key(), **kw)

def resign_gpg(d):
    sign_gpg_old_keyring(
        os.path.join(d, "root.layout"),
        {n: show("py", PY, f"tests/gpg_keyrings/rsa/{n}") for n in ("pubring.gpg", "secring.gpg", "trustdb.gpg")},
        "8465A1E2E0FB2B40ADB2478E18FB3F537E0C8A17",
    )

def resign_dsse(d):
    sign_pem_dsse(os.path.join(d, "root.layout"), show("py", PY, "tests/demo_files/alice"))

LEGACY = ("; the layout's signature names the owner's key by its legacy securesystemslib (<1.0) key id, "
          "which intoto accepts; the reference computes only the securesystemslib 1.x id and reports "
          "'No signature found' (reference_corrected shows the reference's outcome with the legacy id)")
EXPIRED_NOTE = ("both fail, for different reasons: the reference does not find the signature (legacy key id), "
                "intoto finds it and then refuses the expired layout (the reference does the same once given the legacy key id)")

SHA1_NOTE = ("the OpenPGP keys date from GnuPG 1.x days: their self-signatures and subkey binding signatures use SHA-1 "
             "(accepted with a warning; the data signatures use SHA-256)")

CASES = [
    dict(id="apt-good-deb-gpg", repo="apt", commit=APT, files=apt_files("good"),
         description="apt-transport-in-toto test data: two rebuilders (threshold 2) reproduced the .deb; layout signed by alice's GnuPG key (2018 key, GnuPG home built from alice.asc)",
         command=GPG_CMD, gpg_homes={"gnupg": ["keys/alice.asc"]},
         intoto_exit_code=0, intoto_why=APT_WHY_NO_CT, tags=["gpg", "threshold", "apt", "sha1-self-signatures"], notes=SHA1_NOTE),
    dict(id="apt-tampered-deb-gpg", repo="apt", commit=APT, files=apt_files("bad"),
         description="apt-transport-in-toto test data: the tampered .deb does not match the rebuilders' products (fails at the inspection's MATCH/DISALLOW rules naming *.deb)",
         command=GPG_CMD, gpg_homes={"gnupg": ["keys/alice.asc"]},
         intoto_exit_code=1, intoto_why=APT_WHY_NO_CT, tags=["gpg", "threshold", "apt", "tampered-artifact", "sha1-self-signatures"], intoto_stderr_contains=".deb", notes=SHA1_NOTE),
    dict(id="apt-good-deb-keyring", repo="apt", commit=APT, files=apt_files("good"),
         description="as apt-good-deb-gpg, but intoto reads alice's key from the armored keyring file alice.asc (--keyring, no gpg); the reference has no such flag",
         command=NOKEY_CMD, intoto_args=["--keyring", "../keys/alice.asc"],
         intoto_exit_code=0, intoto_why="--keyring is intoto-only (the reference, called without a key flag, exits 2 with a usage error); " + APT_WHY_NO_CT,
         tags=["gpg", "keyring", "apt", "sha1-self-signatures"], notes=SHA1_NOTE),
    dict(id="apt-tampered-deb-keyring", repo="apt", commit=APT, files=apt_files("bad"),
         description="as apt-tampered-deb-gpg, with --gpg KEYID --keyring alice.asc (no gpg)",
         command=NOKEY_CMD, intoto_args=["--gpg", ALICE_GPG, "--keyring", "../keys/alice.asc"],
         intoto_exit_code=1, intoto_why="--keyring is intoto-only (the reference, called without a key flag, exits 2 with a usage error); the tampered .deb fails the inspection rules",
         tags=["gpg", "keyring", "apt", "tampered-artifact", "sha1-self-signatures"], intoto_stderr_contains=".deb", notes=SHA1_NOTE),
    dict(id="apt-tampered-deb-keyring-only", repo="apt", commit=APT, files=apt_files("bad"),
         description="as apt-tampered-deb-gpg, with only --keyring alice.asc (no gpg, no key id: every key in the keyring must have signed)",
         command=NOKEY_CMD, intoto_args=["--keyring", "../keys/alice.asc"],
         intoto_exit_code=1, intoto_why="--keyring is intoto-only (the reference, called without a key flag, exits 2 with a usage error); the tampered .deb fails the inspection rules",
         tags=["gpg", "keyring", "apt", "tampered-artifact", "sha1-self-signatures"], intoto_stderr_contains=".deb", notes=SHA1_NOTE),
    dict(id="apt-shipped-root-layout-unsigned", repo="apt", commit=APT,
         files={"root.layout": "data/root.layout", "keys/alice.asc": "tests/data/alice.asc",
                "final/final-product_0.0.0.0-0_all.deb": "tests/data/good/final-product_0.0.0.0-0_all.deb"},
         mkdirs=["links"],
         description="data/root.layout as apt-transport-in-toto ships it: a template with an empty signature list (and expired 2021-01-06); verified with a GnuPG key it must carry a signature of",
         command=GPG_CMD, gpg_homes={"gnupg": ["keys/alice.asc"]},
         intoto_exit_code=1, tags=["gpg", "apt", "unsigned"]),
    dict(id="go-demo-layout-ite7", oracle="keyid", repo="go", commit=GO, files=go_demo,
         description="in-toto-golang test/data/demo.layout: Go-made layout with ITE-7 fields (rootcas, intermediatecas, step cert_constraints), signatures with a `cert` field, Go key ids; signed by alice.pub, expires 2030; links signed by the two step keys; inspection untars foo.tar.gz",
         command=PEM_CMD, intoto_exit_code=0,
         intoto_why="the layout's signature names alice.pub by its in-toto-golang key id (70ca5750...), which intoto accepts; the reference computes only the securesystemslib 1.x id (84f7dd43...) and finds no signature. The signature covers the canonical JSON of the whole signed object, ITE-7 fields (rootcas, intermediatecas, cert_constraints) included, which intoto keeps (the reference would drop them)",
         tags=["golang", "ite-7", "rsa-pss"]),
    dict(id="go-demo-dsse-layout", oracle="keyid", repo="go", commit=GO,
         files={**go_demo, "root.layout": "test/data/demo.dsse.layout"},
         description="in-toto-golang test/data/demo.dsse.layout: the demo layout in a DSSE envelope (no ITE-7 fields), with the classic links of go-demo-layout-ite7 (their signatures carry a `cert` field)",
         command=PEM_CMD, intoto_exit_code=0, tags=["golang", "dsse"],
         intoto_why="the DSSE signature names alice.pub by its in-toto-golang key id (70ca5750..., the legacy securesystemslib scheme), which intoto accepts; the reference computes only the securesystemslib 1.x id (84f7dd43...) and finds no signature (with the legacy id it verifies)"),
    dict(id="go-dsse-only", oracle="keyid", repo="go", commit=GO,
         files={"root.layout": "test/data/dsse-only.root.layout", "keys/alice.pub": "test/data/alice.pub",
                "links/clone-dsse.776a00e2.link": "test/data/clone-dsse.776a00e2.link",
                "links/update-version-dsse.776a00e2.link": "test/data/update-version-dsse.776a00e2.link",
                "links/package-dsse.2f89b927.link": "test/data/package-dsse.2f89b927.link"},
         description="in-toto-golang test/data/dsse-only.root.layout: DSSE layout and DSSE links, made by in-toto-golang from the in-toto demo (no inspection)",
         command=PEM_CMD, intoto_exit_code=0, tags=["golang", "dsse"],
         intoto_why="the DSSE signature names alice.pub by its in-toto-golang key id (70ca5750..., the legacy securesystemslib scheme), which intoto accepts; the reference computes only the securesystemslib 1.x id (84f7dd43...) and finds no signature (with the legacy id it verifies)"),
    dict(id="rs-verifylib-expired", oracle="keyid", repo="rs", commit=RS, files=rs_files,
         description="in-toto-rs tests/test_verifylib: demo supply chain (clone, update-version, package, untar inspection) whose layout expired 2022-12-02",
         command=PEM_CMD, intoto_exit_code=1, tags=["rust", "expired-layout"], intoto_stderr_contains="expire", notes=EXPIRED_NOTE),
    dict(id="rs-verifylib-at-time", repo="rs", commit=RS, files=rs_files, oracle="time",
         description="as rs-verifylib-expired, verified as of 2022-11-15 (after the layout was committed on 2022-11-08, so after it was signed, and before it expired on 2022-12-02)",
         command=PEM_CMD, intoto_args=["--time", "2022-11-15T00:00:00Z"], intoto_exit_code=None,
         intoto_why="--time is intoto-only: as of 2022-11-15 the layout is valid " + LEGACY,
         tags=["rust", "time"]),
    dict(id="ref-demo-files", repo="py", commit=PY, files=demo_files(), resign=resign_pem, resigned=RESIGN_PEM,
         description="the reference's tests/demo_files: demo layout template (bob/carl keys with legacy securesystemslib key ids 776a00e2/2f89b927) and the links bob and carl signed in 2018",
         command=PEM_CMD, intoto_exit_code=0, tags=["python", "legacy-keyid"]),
    dict(id="ref-demo-template-without-expires", repo="py", commit=PY, files=demo_files(),
         resign=lambda d: resign_pem(d, raw=True),
         resigned="unsigned template tests/demo_files/demo.layout.template signed as it is (no `expires` field), over the canonical JSON of its signed object, with the repository's test key tests/demo_files/alice (securesystemslib CryptoSigner)",
         description="the reference's demo layout template has no `expires`; signed as is, it must be refused",
         command=PEM_CMD, intoto_exit_code=1, tags=["python", "no-expires"], intoto_stderr_contains="no expiry date",
         notes="the reference fills in a default expiry when it loads the layout, so its signature check fails"),
    dict(id="ref-demo-files-gpg", repo="py", commit=PY,
         files={"root.layout": "tests/demo_files_gpg/demo.layout.template",
                "keys/pubring.gpg": "tests/gpg_keyrings/rsa/pubring.gpg",
                "links/write-code.8288ef56.link": "tests/demo_files_gpg/write-code.8288ef56.link",
                "links/package.7b3abb26.link": "tests/demo_files_gpg/package.7b3abb26.link",
                "final/foo.tar.gz": "tests/demo_files_gpg/foo.tar.gz"},
         resign=resign_gpg,
         resigned="unsigned template tests/demo_files_gpg/demo.layout.template: expires set to 2099-12-31T00:00:00Z, signed with the reference's Metablock.sign_gpg and GnuPG key 8465A1E2E0FB2B40ADB2478E18FB3F537E0C8A17 from the repository's GnuPG 1.x test keyring tests/gpg_keyrings/rsa (as its tests do); only the public keyring is kept; the links keep their 2018 signatures",
         description="the reference's tests/demo_files_gpg: GnuPG-signed links from 2018 made with the GnuPG 1.x era keyring tests/gpg_keyrings/rsa (signing subkeys)",
         command=["in-toto-verify", "--layout", "../root.layout", "--gpg", "8465A1E2E0FB2B40ADB2478E18FB3F537E0C8A17",
                  "--gpg-home", "../gnupg", "--link-dir", "../links"],
         gpg_homes={"gnupg": ["keys/pubring.gpg"]}, intoto_exit_code=0, tags=["python", "gpg", "gnupg1", "sha1-self-signatures"], notes=SHA1_NOTE,
         intoto_why="the layout lists the functionaries' GnuPG keys without creation_time (securesystemslib 0.x); intoto accepts them with the key id as given"),
    dict(id="ref-demo-dsse-files", repo="py", commit=PY,
         files={"root.layout": "tests/demo_dsse_files/demo.layout.template", "keys/alice.pub": "tests/demo_files/alice.pub",
                "links/write-code.776a00e2.link": "tests/demo_dsse_files/write-code.776a00e2.link",
                "links/package.2f89b927.link": "tests/demo_dsse_files/package.2f89b927.link",
                "final/foo.tar.gz": "tests/demo_files/foo.tar.gz"},
         resign=resign_dsse,
         resigned="unsigned DSSE template tests/demo_dsse_files/demo.layout.template: payload loaded with the reference's Layout, the untar inspection's command `python ./scripts/tar xfz foo.tar.gz` (a wrapper script of the reference's test suite, not copied) replaced by `tar xfz foo.tar.gz`, expires set to 2099-12-31T00:00:00Z, wrapped with Envelope.from_signable and signed with the repository's test key tests/demo_files/alice; the DSSE links keep their 2023 signatures",
         description="the reference's tests/demo_dsse_files: DSSE links (base64 signatures) made by the reference in 2023",
         command=PEM_CMD, intoto_exit_code=0, tags=["python", "dsse"]),
    dict(id="ref-2017-precanonical-links", repo="py", commit=PY, files=demo_files("2a0f134", "test/demo_files"),
         resign=resign_pem, resigned=RESIGN_PEM,
         description="the demo links bob and carl signed in November 2017 (test/demo_files at 2a0f134), before the reference switched to securesystemslib.encode_canonical: their signatures are over a different serialisation and must not verify",
         command=PEM_CMD, intoto_exit_code=1, tags=["python", "history", "bad-link-signature"]),
    dict(id="ref-2017-pre-metablock-demo", repo="py", commit="5a85686",
         files={"root.layout": "demo/final_product/root.layout", "keys/alice.pub": "demo/final_product/alice.pub",
                "links/write-code.0c6c50a1.link": "demo/final_product/write-code.0c6c50a1.link",
                "links/package.c1ae1e51.link": "demo/final_product/package.c1ae1e51.link",
                "final/foo.tar.gz": "demo/final_product/foo.tar.gz"},
         description="the reference's February 2017 demo (demo/final_product at 5a85686): pre-1.0 format with `signatures` inside the object (no signed/signatures envelope), `material_matchrules`, string `run`; not valid metadata today",
         command=PEM_CMD, intoto_exit_code=1, tags=["python", "history", "malformed-metadata"]),
    dict(id="in-toto-1.0.1-sdist-expired", oracle="keyid", repo="py", commit=SDIST_COMMIT, files=sdist_files,
         description="in-toto's own release supply chain for the 1.0.1 sdist (doc/metadata): git-tag and create-sdist links by bob, layout by alice, the real in-toto-1.0.1.tar.gz; the layout expired 2021-04-28",
         command=PEM_CMD, intoto_exit_code=1, tags=["python", "release", "expired-layout"], intoto_stderr_contains="expire", notes=EXPIRED_NOTE),
    dict(id="in-toto-1.0.1-sdist-at-time", repo="py", commit=SDIST_COMMIT, files=sdist_files, oracle="time",
         description="as in-toto-1.0.1-sdist-expired, verified as of 2021-04-25 (after the layout was last re-signed on 2021-04-21, commit 7f38dfe, and before it expired on 2021-04-28)",
         command=PEM_CMD, intoto_args=["--time", "2021-04-25T00:00:00Z"], intoto_exit_code=None,
         intoto_why="--time is intoto-only; as of 2021-04-25 the layout is valid" + LEGACY, tags=["python", "release", "time"]),
    dict(id="in-toto-1.1.0-sdist-bdist-expired", oracle="keyid", repo="py", commit=SDIST_COMMIT, files=bdist_files,
         description="in-toto's own release supply chain for 1.1.0 (sdist and wheel, doc/metadata): the layout expired 2021-06-05",
         command=PEM_CMD, intoto_exit_code=1, tags=["python", "release", "expired-layout"], intoto_stderr_contains="expire", notes=EXPIRED_NOTE),
    dict(id="in-toto-1.1.0-sdist-bdist-at-time", repo="py", commit=SDIST_COMMIT, files=bdist_files, oracle="time",
         description="as in-toto-1.1.0-sdist-bdist-expired, verified as of 2021-05-20 (after the layout was re-signed on 2021-05-17, commit b82d67e, and before it expired on 2021-06-05)",
         command=PEM_CMD, intoto_args=["--time", "2021-05-20T00:00:00Z"], intoto_exit_code=None,
         intoto_why="--time is intoto-only; as of 2021-05-20 the layout is valid" + LEGACY, tags=["python", "release", "time"]),
    dict(id="kubectl-in-toto-example-expired", oracle="keyid", repo="kubectl", commit=KC, files=kc_files,
         description="kubectl-in-toto's example: a docker build step and an inspection that checks image_id; the layout expired 2019-05-20",
         command=KC_CMD, intoto_exit_code=1, tags=["kubectl", "expired-layout"], intoto_stderr_contains="expire", notes=EXPIRED_NOTE),
    dict(id="kubectl-in-toto-example-at-time", repo="kubectl", commit=KC, files=kc_files, oracle="time",
         description="as kubectl-in-toto-example-expired, verified as of 2019-05-01 (after the layout was committed on 2019-04-20 and before it expired on 2019-05-20)",
         command=KC_CMD, intoto_args=["--time", "2019-05-01T00:00:00Z"], intoto_exit_code=None,
         intoto_why="--time is intoto-only; as of 2019-05-01 the layout is valid" + LEGACY, tags=["kubectl", "time"]),
]

CASES += [
    dict(id="apt-rebuilder-link-sign-verify-gpg", repo="apt", commit=APT,
         files={"links/rebuild.5863835e.link": "tests/data/rebuild.5863835e.link",
                "keys/pubring.gpg": "tests/data/gpg_keyring/pubring.gpg"},
         mkdirs=["final"],
         description="in-toto-sign --verify of a rebuilder's link from apt-transport-in-toto with the rebuilder's 2018 GnuPG key (GnuPG home built from the test suite's GnuPG 1.x public keyring)",
         command=["in-toto-sign", "-f", "../links/rebuild.5863835e.link", "--gpg", "5863835E5EC8E640FA24410F069EDC1D59B58507",
                  "--gpg-home", "../gnupg", "--verify"],
         gpg_homes={"gnupg": ["keys/pubring.gpg"]}, intoto_exit_code=0,
         tags=["apt", "gpg", "sign-verify", "sha1-self-signatures"], notes=SHA1_NOTE),
    dict(id="go-demo-layout-sign-verify", repo="go", commit=GO, oracle="keyid",
         files={"root.layout": "test/data/demo.layout", "keys/alice.pub": "test/data/alice.pub"},
         mkdirs=["final"],
         description="in-toto-sign --verify of in-toto-golang's demo.layout (ITE-7 fields, Go key id) with alice.pub",
         command=["in-toto-sign", "-f", "../root.layout", "-k", "../keys/alice.pub", "--verify"],
         intoto_exit_code=0,
         intoto_why="as go-demo-layout-ite7: intoto matches the in-toto-golang key id and checks the signature over the whole signed object, ITE-7 fields included",
         tags=["golang", "ite-7", "sign-verify"]),
    dict(id="ref-demo-link-sign-verify-legacy-keyid", repo="py", commit=PY, oracle="keyid",
         files={"links/write-code.776a00e2.link": "tests/demo_files/write-code.776a00e2.link", "keys/bob.pub": "tests/demo_files/bob.pub"},
         mkdirs=["final"],
         description="in-toto-sign --verify of the reference's 2018 demo link write-code.776a00e2.link with bob.pub: the signature names bob's key by its legacy securesystemslib key id",
         command=["in-toto-sign", "-f", "../links/write-code.776a00e2.link", "-k", "../keys/bob.pub", "--verify"],
         intoto_exit_code=0,
         intoto_why="intoto accepts the legacy securesystemslib (<1.0) key id 776a00e2... for bob.pub; the reference computes only the 1.x id and finds no signature by that key",
         tags=["python", "legacy-keyid", "sign-verify"]),
]

# --- rebuilderd attestations (repro-threshold's test data) -------------------

RT_DEB = "librust-as-slice-dev_0.2.1-1+b2_amd64.deb"
RT_PKG = "filesystem-2025.10.12-1-any.pkg.tar.zst"
RT_DEBIAN_KEY = "2980aa6249ad89ce0ef0f0f5e6d0896214301b2818aad33443444cf460df6ed6"
RT_ARCH_KEY = "1ae6d32cb5bb8a98312106de28e50af7e09a9b294d51df459537908ac1288b8f"
OWN_KEY = os.path.join(ROOT, "testdata/keys/alice.pem")

def rt_debian_files(deb=RT_DEB):
    return {
        "keys/reproduce-debian-net-amd64.pub": "test_data/reproduce-debian-net-amd64.pub",
        f"links/rebuild.{RT_DEBIAN_KEY[:8]}.link": f"test_data/{RT_DEB.removesuffix('.deb')}.in-toto.link",
        f"final/{RT_DEB}": f"test_data/{deb}",
    }

def rt_arch_files(link=RT_PKG.removesuffix(".pkg.tar.zst") + ".in-toto.link"):
    return {
        "keys/reproducible-archlinux.pub": "test_data/reproducible-archlinux.pub",
        f"links/rebuild.{RT_ARCH_KEY[:8]}.link": f"test_data/{link}",
        f"final/{RT_PKG}": f"test_data/{RT_PKG}",
    }

def rebuild_layout(key_file, keyid, pattern, materials, readme):
    def make(d):
        entry = legacy_pem_entry(open(os.path.join(d, "keys", key_file), "rb").read())
        assert entry["keyid"] == keyid, entry["keyid"]
        shutil.copy(os.path.join(ROOT, "testdata/keys/alice.pub"), os.path.join(d, "keys/alice.pub"))
        own_layout(d, {
            "_type": "layout",
            "expires": "2099-12-31T00:00:00Z",
            "readme": readme,
            "keys": {keyid: entry},
            "steps": [{
                "_type": "step", "name": "rebuild", "threshold": 1, "pubkeys": [keyid],
                "expected_command": [],
                "expected_materials": materials,
                "expected_products": [["CREATE", pattern], ["ALLOW", pattern], ["DISALLOW", "*"]],
            }],
            "inspect": [{
                "_type": "inspection", "name": "verify-reprobuilds", "run": ["true"],
                "expected_materials": [["MATCH", pattern, "WITH", "PRODUCTS", "FROM", "rebuild"],
                                       ["DISALLOW", pattern]],
                "expected_products": [],
            }],
        }, open(OWN_KEY, "rb").read())
    return make

debian_layout = rebuild_layout(
    "reproduce-debian-net-amd64.pub", RT_DEBIAN_KEY, "*.deb",
    [["ALLOW", "*.buildinfo"], ["DISALLOW", "*"]],
    "a .deb must be what reproduce.debian.net (amd64) rebuilt")
arch_layout = rebuild_layout(
    "reproducible-archlinux.pub", RT_ARCH_KEY, "*.pkg.tar.zst",
    [["ALLOW", "*.pkg.tar.zst"], ["DISALLOW", "*"]],
    "an Arch Linux package must be what reproducible-archlinux rebuilt")

def tamper(name, debian=True):
    def make(d):
        (debian_layout if debian else arch_layout)(d)
        p = os.path.join(d, "final", name)
        data = bytearray(open(p, "rb").read())
        data[-1] ^= 1
        open(p, "wb").write(data)
    return make

RT_LAYOUT = ("this repository's own layout (tools/cases.py): the rebuilder's key under the legacy securesystemslib "
             "key id rebuilderd signs with (keyid_hash_algorithms in the hashed fields), a step 'rebuild' it must "
             "have signed (threshold 1), and an inspection whose materials must MATCH the step's products; signed "
             "with testdata/keys/alice.pem (the reference's CryptoSigner), checked with testdata/keys/alice.pub")
RT_WHY = ("rebuilderd signs with in-toto-rs, which writes \"environment\": null: the reference refuses the link "
          "(FormatError: environment must be a dict), intoto reads it as empty with the null signed as written; "
          "the link's products carry {sha256, sha512} and the inspection records {sha256}: intoto matches them "
          "on sha256, where the reference would compare the whole dicts")
PEM_VERIFY = ["in-toto-verify", "--layout", "../root.layout", "--verification-keys", "../keys/alice.pub",
              "--link-dir", "../links"]

CASES += [
    dict(id="rebuilderd-debian-deb", repo="rt", commit=RT, files=rt_debian_files(), resign=debian_layout,
         layout=RT_LAYOUT,
         description=f"a real reproduce.debian.net attestation for {RT_DEB} (rebuilderd, two Ed25519 signatures, "
                     "legacy key ids, \"environment\": null, sha256 and sha512 digests), the .deb and the rebuilder's "
                     "public key (an Ed25519 SPKI with explicit NULL parameters), verified with a layout of our own",
         command=PEM_VERIFY, intoto_exit_code=0, intoto_why=RT_WHY,
         tags=["rebuilderd", "rust", "debian", "legacy-keyid", "null", "multi-digest"]),
    dict(id="rebuilderd-debian-tampered-deb", repo="rt", commit=RT, files=rt_debian_files(),
         resign=tamper(RT_DEB), layout=RT_LAYOUT,
         tampered=f"final/{RT_DEB}: its last byte flipped (xor 1) by tools/cases.py",
         description="as rebuilderd-debian-deb, with a .deb whose bytes differ from what the rebuilder reproduced",
         command=PEM_VERIFY, intoto_exit_code=1, intoto_stderr_contains=".deb",
         intoto_why="both fail: the reference refuses the link (environment null), intoto at the inspection's "
                    "MATCH/DISALLOW rules naming the .deb",
         tags=["rebuilderd", "debian", "tampered-artifact"]),
    dict(id="rebuilderd-debian-link-sign-verify", repo="rt", commit=RT,
         files={k: v for k, v in rt_debian_files().items() if not k.startswith("final/")}, mkdirs=["final"],
         description="in-toto-sign --verify of the reproduce.debian.net attestation with the rebuilder's public key "
                     "(the key id in the signature is the legacy securesystemslib one)",
         command=["in-toto-sign", "-f", f"../links/rebuild.{RT_DEBIAN_KEY[:8]}.link", "-k",
                  "../keys/reproduce-debian-net-amd64.pub", "--verify"],
         intoto_exit_code=0,
         intoto_why="the reference cannot load the link (\"environment\": null); intoto reads it and finds the "
                    "signature under the key's legacy key id",
         tags=["rebuilderd", "debian", "legacy-keyid", "null", "sign-verify"]),
    dict(id="rebuilderd-archlinux-pkg", repo="rt", commit=RT, files=rt_arch_files(), resign=arch_layout,
         layout=RT_LAYOUT.replace("reproduce.debian.net", "reproducible-archlinux"),
         description=f"a real reproducible-archlinux attestation (rebuilderd) for {RT_PKG}, the package and the "
                     "rebuilder's key, verified with a layout of our own",
         command=PEM_VERIFY, intoto_exit_code=0, intoto_why=RT_WHY,
         tags=["rebuilderd", "rust", "archlinux", "legacy-keyid", "null", "multi-digest"]),
    dict(id="rebuilderd-archlinux-invalid-signature", repo="rt", commit=RT,
         files=rt_arch_files(RT_PKG.removesuffix(".pkg.tar.zst") + ".INVALID.in-toto.link"), resign=arch_layout,
         layout=RT_LAYOUT.replace("reproduce.debian.net", "reproducible-archlinux"),
         description="as rebuilderd-archlinux-pkg, with repro-threshold's INVALID attestation (its signatures altered)",
         command=PEM_VERIFY, intoto_exit_code=1, intoto_stderr_contains="signature",
         intoto_why="both fail: the reference refuses the link (environment null), intoto because no valid "
                    "signature by the rebuilder's key is there",
         tags=["rebuilderd", "archlinux", "bad-link-signature"]),
]

# --- attestations: in-toto/attestation-verifier, in-toto/attestation, DSSE --

AV = "1717532a62679af7bb46a027cda0848b783553de"
ATT = "051624ce466deaed4c5a66e66877f69b471fccbe"
DSSE = "eebf7b59b17a06efd2d8a531fc30d1d193520adb"
AV_KEYID = "fe1c6281c5ff13e35286cc67e5a1fb3e6575b840a6c39ca4267d3805eb17288a"

def json_block(r, commit, path, needle):
    """The one ```json block of a Markdown document that holds `needle`."""
    import re
    text = show(r, commit, path).decode()
    blocks = [b for b in re.findall(r"```json\n(.*?)```", text, re.S) if needle in b]
    assert len(blocks) == 1, (path, needle, len(blocks))
    return blocks[0]

def one_step_layout(d, keyid, entry, step, readme):
    shutil.copy(os.path.join(ROOT, "testdata/keys/alice.pub"), os.path.join(d, "keys/alice.pub"))
    own_layout(d, {
        "_type": "layout",
        "expires": "2099-12-31T00:00:00Z",
        "readme": readme,
        "keys": {keyid: entry},
        "steps": [{
            "_type": "step", "name": step, "threshold": 1, "pubkeys": [keyid],
            "expected_command": [], "expected_materials": [], "expected_products": [],
        }],
        "inspect": [],
    }, open(OWN_KEY, "rb").read())

def av_layout(step, tamper_sig=False):
    """attestation-verifier's key (a securesystemslib key dict, its id the
    legacy one: keyid_hash_algorithms hashed in) as the one functionary of
    `step`, in a layout of our own."""
    def make(d):
        from securesystemslib.formats import encode_canonical
        import hashlib
        entry = json.load(open(os.path.join(d, "keys", "key.pub")))
        keyid = hashlib.sha256(encode_canonical(entry).encode()).hexdigest()
        assert keyid == AV_KEYID, keyid
        entry["keyid"] = keyid
        one_step_layout(d, keyid, entry, step,
                        f"step {step!r}: its link must be attestation-verifier's test-data attestation")
        if tamper_sig:
            p = os.path.join(d, "links", f"{step}.{keyid[:8]}.json")
            env = json.load(open(p))
            sig = bytearray(base64.b64decode(env["signatures"][0]["sig"]))
            sig[0] ^= 1
            env["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
            open(p, "w").write(json.dumps(env, separators=(",", ":")))
    return make

def av_files(step, path):
    return {"keys/key.pub": "test-data-raw/key.pub", f"links/{step}.{AV_KEYID[:8]}.json": path}

AV_LAYOUT = ("this repository's own layout (tools/cases.py): attestation-verifier's Ed25519 key (test-data-raw/key.pub, "
             "a securesystemslib key dict) under its legacy key id fe1c6281... (the id its envelopes name and its "
             "file names carry) as the one functionary of one step, threshold 1, no rules; signed with "
             "testdata/keys/alice.pem (the reference's CryptoSigner), checked with testdata/keys/alice.pub. "
             "attestation-verifier's own layouts are unsigned YAML (see attestation-verifier-yaml-layout)")
AV_REF_WHY = ("in-toto 3.1.0 reads only classic <step>.<keyid>.link files: it finds no link for the step")

def att_test_result(d):
    """in-toto/attestation's test-result predicate example (spec text),
    the Statement as written there, in a DSSE envelope signed here."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    from securesystemslib.signer import CryptoSigner
    from securesystemslib.dsse import Envelope
    payload = json_block("att", ATT, "spec/predicates/test-result.md", "gitCommit").encode()
    json.loads(payload)
    signer = CryptoSigner(load_pem_private_key(open(os.path.join(ROOT, "testdata/keys/bob.pem"), "rb").read(), None))
    env = Envelope(payload=payload, payload_type="application/vnd.in-toto+json", signatures={})
    env.sign(signer)
    keyid = signer.public_key.keyid
    os.makedirs(os.path.join(d, "links"), exist_ok=True)
    with open(os.path.join(d, "links", f"test.{keyid[:8]}.json"), "w") as f:
        json.dump(env.to_dict(), f, indent=1)
        f.write("\n")
    shutil.copy(os.path.join(ROOT, "testdata/keys/bob.pub"), os.path.join(d, "keys/bob.pub"))
    entry = signer.public_key.to_dict()
    entry["keyid"] = keyid
    one_step_layout(d, keyid, entry, "test", "step 'test': in-toto/attestation's test-result example")

def dsse_vector(d):
    """The DSSE spec's test vector (protocol.md): the envelope as printed,
    its P-256 public key built from the X and Y printed there (the private
    scalar d is not kept)."""
    import re
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives import serialization
    from securesystemslib.signer import SSlibKey
    text = show("dsse", DSSE, "protocol.md").decode()
    x = int(re.search(r"^X: (\d+)$", text, re.M).group(1))
    y = int(re.search(r"^Y: (\d+)$", text, re.M).group(1))
    pub = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    os.makedirs(os.path.join(d, "keys"), exist_ok=True)
    open(os.path.join(d, "keys", "dsse-spec-p256.pem"), "wb").write(
        pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    key = SSlibKey.from_crypto(pub)
    entry = key.to_dict()
    entry["keyid"] = key.keyid
    envelope = json_block("dsse", DSSE, "protocol.md", "HelloWorld")
    json.loads(envelope)
    os.makedirs(os.path.join(d, "links"), exist_ok=True)
    open(os.path.join(d, "links", f"hello.{key.keyid[:8]}.json"), "w").write(envelope)
    one_step_layout(d, key.keyid, entry, "hello", "step 'hello': the DSSE spec's test vector")

CASES += [
    dict(id="attestation-verifier-clone-type-member", repo="av", commit=AV,
         files=av_files("clone", "test-data/clone.fe1c6281.json"), mkdirs=["final"], resign=av_layout("clone"),
         layout=AV_LAYOUT,
         description="in-toto/attestation-verifier test-data/clone.fe1c6281.json: a link predicate v0.3 attestation "
                     "(Ed25519, go-securesystemslib's DSSE) whose Statement has \"type\" where Statement v1 has "
                     "\"_type\"; its signature verifies, the Statement must be refused",
         command=PEM_VERIFY, intoto_exit_code=1, intoto_stderr_contains="\"type\"",
         notes=AV_REF_WHY + "; intoto checks the signature (it verifies) and then refuses the Statement: "
                    "the spec requires \"_type\" exactly (attestation-verifier reads both)",
         tags=["attestation", "attestation-verifier", "legacy-keyid", "refused-shape"]),
    dict(id="attestation-verifier-clone-bad-signature", repo="av", commit=AV,
         files=av_files("clone", "test-data/clone.fe1c6281.json"), mkdirs=["final"],
         resign=av_layout("clone", tamper_sig=True), layout=AV_LAYOUT,
         tampered="links/clone.fe1c6281.json: the first byte of the signature flipped (xor 1) by tools/cases.py",
         description="as attestation-verifier-clone-type-member with the signature altered: refused for the "
                     "signature, before the payload is read",
         command=PEM_VERIFY, intoto_exit_code=1, intoto_stderr_contains="signature",
         notes=AV_REF_WHY + "; intoto finds no valid signature by the step's key",
         tags=["attestation", "attestation-verifier", "bad-link-signature"]),
    dict(id="attestation-verifier-test-result", repo="av", commit=AV,
         files=av_files("test", "test-data/test.fe1c6281.json"), mkdirs=["final"], resign=av_layout("test"),
         layout=AV_LAYOUT,
         description="in-toto/attestation-verifier test-data/test.fe1c6281.json: a Statement v1 with the "
                     "test-result predicate v0.1 (its layout's step 'test' expects it); as a step's link it must be refused",
         command=PEM_VERIFY, intoto_exit_code=1, intoto_stderr_contains="predicateType",
         notes=AV_REF_WHY + "; intoto verifies the signature and refuses the predicate type: only the link "
                    "predicate v0.3 is a link (attestation-verifier checks other predicates with CEL rules, "
                    "which a classic layout cannot express)",
         tags=["attestation", "attestation-verifier", "other-predicate"]),
    dict(id="attestation-verifier-slsa-provenance", repo="av", commit=AV,
         files=av_files("build", "test-data/build.fe1c6281.json"), mkdirs=["final"], resign=av_layout("build"),
         layout=AV_LAYOUT,
         description="in-toto/attestation-verifier test-data/build.fe1c6281.json: a Statement v1 with SLSA "
                     "provenance v1; as a step's link it must be refused",
         command=PEM_VERIFY, intoto_exit_code=1, intoto_stderr_contains="https://slsa.dev/provenance/v1",
         notes=AV_REF_WHY + "; intoto verifies the signature and refuses the predicate type",
         tags=["attestation", "attestation-verifier", "other-predicate", "slsa"]),
    dict(id="attestation-verifier-npm-statement-v01", repo="av", commit=AV,
         files=av_files("publish", "test-data-npm/publish.fe1c6281.json"), mkdirs=["final"],
         resign=av_layout("publish"), layout=AV_LAYOUT,
         description="in-toto/attestation-verifier test-data-npm/publish.fe1c6281.json: npm's publish attestation "
                     "for sigstore@1.2.0 as a Statement v0.1 (sha512 subject); refused",
         command=PEM_VERIFY, intoto_exit_code=1, intoto_stderr_contains="Statement/v0.1",
         notes=AV_REF_WHY + "; intoto verifies the signature and refuses Statement v0.1 (only v1 is read)",
         tags=["attestation", "attestation-verifier", "statement-v0.1", "npm"]),
    dict(id="attestation-verifier-npm-provenance-v01", repo="av", commit=AV,
         files=av_files("build", "test-data-npm/build.fe1c6281.json"), mkdirs=["final"], resign=av_layout("build"),
         layout=AV_LAYOUT,
         description="in-toto/attestation-verifier test-data-npm/build.fe1c6281.json: npm's SLSA provenance v0.2 "
                     "for sigstore@1.2.0 as a Statement v0.1; refused",
         command=PEM_VERIFY, intoto_exit_code=1, intoto_stderr_contains="Statement/v0.1",
         notes=AV_REF_WHY + "; intoto verifies the signature and refuses Statement v0.1",
         tags=["attestation", "attestation-verifier", "statement-v0.1", "npm", "slsa"]),
    dict(id="attestation-verifier-yaml-layout", repo="av", commit=AV,
         files={"layout.yml": "layouts/layout.yml", "keys/key.pub": "test-data-raw/key.pub",
                "links/clone.fe1c6281.json": "test-data/clone.fe1c6281.json",
                "links/test.fe1c6281.json": "test-data/test.fe1c6281.json",
                "links/build.fe1c6281.json": "test-data/build.fe1c6281.json"},
         mkdirs=["final"],
         description="in-toto/attestation-verifier layouts/layout.yml with its test data: an unsigned YAML layout "
                     "(CEL rules, camelCase fields) given as the layout; refused as not in-toto metadata",
         command=["in-toto-verify", "--layout", "../layout.yml", "--verification-keys", "../keys/key.pub",
                  "--link-dir", "../links"],
         intoto_exit_code=1, intoto_stderr_contains="not valid in-toto metadata",
         notes="a layout must be signed in-toto JSON metadata (Metablock or DSSE); attestation-verifier's "
                    "YAML layouts carry no signature and are not that format",
         tags=["attestation", "attestation-verifier", "yaml-layout", "refused-shape"]),
    dict(id="attestation-spec-test-result-example", repo="att", commit=ATT, files={}, mkdirs=["final", "keys"],
         extracted=["spec/predicates/test-result.md"], resign=att_test_result,
         resigned="the Statement of spec/predicates/test-result.md's example (the JSON block with the gitCommit "
                  "subject, bytes as written there) put in a DSSE envelope signed with testdata/keys/bob.pem "
                  "(securesystemslib's Envelope and CryptoSigner, rsassa-pss-sha256)",
         layout="this repository's own layout (tools/cases.py): bob's key as the one functionary of step 'test', "
                "signed with testdata/keys/alice.pem",
         description="in-toto/attestation's test-result predicate example (a subject with only a gitCommit digest "
                     "and no name) as a step's link: refused",
         command=PEM_VERIFY, intoto_exit_code=1, intoto_stderr_contains="predicateType",
         notes=AV_REF_WHY + "; intoto verifies the signature and refuses the predicate type",
         tags=["attestation", "attestation-spec", "other-predicate", "resigned"]),
    dict(id="dsse-spec-test-vector", repo="dsse", commit=DSSE, files={}, mkdirs=["final", "keys"],
         extracted=["protocol.md"], resign=dsse_vector,
         layout="this repository's own layout (tools/cases.py): the vector's P-256 key (built from protocol.md's X "
                "and Y; securesystemslib's ecdsa-sha2-nistp256 key dict) as the one functionary of step 'hello', "
                "signed with testdata/keys/alice.pem",
         description="the DSSE spec's test vector (protocol.md): payloadType http://example.com/HelloWorld, payload "
                     "'hello world', an ECDSA P-256 signature as raw r||s and no keyid; as a step's link it must "
                     "be refused for its payload type",
         command=PEM_VERIFY, intoto_exit_code=1, intoto_stderr_contains="payloadType",
         notes=AV_REF_WHY + "; intoto refuses the envelope while loading it: its payloadType is not "
                    "application/vnd.in-toto+json (the signature is never checked; it is raw r||s, where "
                    "securesystemslib's ECDSA signatures are DER)",
         tags=["dsse", "test-vector", "refused-shape"]),
]

# gittuf's own policy (its dogfooding ref): no OpenPGP-signed envelope is
# public (its test suite makes them at run time), but its RSA-signed root
# metadata is a real DSSE envelope from go-securesystemslib.
GITTUF_REF = "refs/gittuf-dogfood/policy"
GITTUF_KEYID = "a60040f3b72612831ae52453588fd9f007b78555ff59d602fe59460a4d86cdbd"

def gittuf_layout(d):
    from securesystemslib.formats import encode_canonical
    import hashlib
    entry = json.load(open(os.path.join(d, "keys", "gittuf-root.json")))
    entry.pop("keyid", None)
    keyid = hashlib.sha256(encode_canonical(entry).encode()).hexdigest()
    assert keyid == GITTUF_KEYID, keyid
    entry["keyid"] = keyid
    one_step_layout(d, keyid, entry, "root", "step 'root': gittuf's root of trust metadata as a link")

CASES += [
    dict(id="gittuf-dogfood-root-metadata", repo="gittuf", commit=GITTUF_REF,
         files={"keys/gittuf-root.json": f"keys/{GITTUF_KEYID}",
                f"links/root.{GITTUF_KEYID[:8]}.json": "metadata/root.json"},
         mkdirs=["final"], resign=gittuf_layout,
         layout="this repository's own layout (tools/cases.py): the RSA key that signed gittuf's root metadata "
                "(its securesystemslib key dict from the policy's keys/, under its legacy key id a60040f3...) as "
                "the one functionary of step 'root', signed with testdata/keys/alice.pem",
         description="gittuf/gittuf's dogfooding policy (refs/gittuf-dogfood/policy, metadata/root.json): a DSSE "
                     "envelope of payloadType application/vnd.gittuf+json signed with RSA-PSS; as a step's link it "
                     "must be refused for its payload type",
         command=PEM_VERIFY, intoto_exit_code=1, intoto_stderr_contains="application/vnd.gittuf+json",
         notes=AV_REF_WHY + "; intoto refuses the envelope while loading it (not an in-toto payload); its "
               "signature verifies with the key (thirdparty_attestations.rs checks it)",
         tags=["dsse", "gittuf", "legacy-keyid", "refused-shape"]),
]

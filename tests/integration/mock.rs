//! `intoto mock`: an unsigned link of `.` before and after a command, its
//! streams recorded, written as `<name>.link`.

use crate::common::Env;

#[test]
fn mock_records_the_tree_and_the_streams_unsigned() {
    let env = Env::new();
    env.write("src/a.c", "int main;");
    let out = env.ok((
        "mock -n build --",
        ["sh", "-c", "echo built; cp src/a.c app"],
    ));
    assert!(
        out.stderr.contains("wrote unsigned build.link"),
        "{}",
        out.stderr
    );
    let link = env.json("build.link");
    assert_eq!(link["signatures"], serde_json::json!([]));
    let s = &link["signed"];
    assert_eq!(s["name"], "build");
    assert!(s["materials"].get("src/a.c").is_some(), "{s}");
    assert!(s["materials"].get("app").is_none(), "{s}");
    assert_eq!(s["products"]["app"], s["materials"]["src/a.c"]);
    assert_eq!(s["byproducts"]["stdout"], "built\n");
    assert_eq!(
        s["command"],
        serde_json::json!(["sh", "-c", "echo built; cp src/a.c app"])
    );
}

#[test]
fn a_failing_command_is_recorded_and_said() {
    let env = Env::new();
    let out = env.ok(("mock -n m --", ["sh", "-c", "exit 3"]));
    assert!(out.stderr.contains("exited with 3"), "{}", out.stderr);
    assert_eq!(
        env.json("m.link")["signed"]["byproducts"]["return-value"],
        3
    );
}

#[test]
fn mock_names_follow_the_step_name_rules() {
    let env = Env::new();
    env.fails(2, "mock -n a/b -- true", "cannot name a link file");
    env.fails(
        2,
        ("mock -n", [&"s".repeat(240)[..], "--", "true"]),
        "longer than",
    );
    assert!(env.links().is_empty(), "{:?}", env.links());
}

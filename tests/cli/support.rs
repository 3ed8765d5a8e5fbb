//! Running the `tailor` binary on temporary workspaces.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run printed and how it ended.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `tailor ARGS` in `dir` with colours off.
pub fn tailor(dir: &Path, args: &[&str]) -> Output {
    tailor_with_env(dir, args, &[])
}

/// Runs `tailor ARGS` in `dir` with colours off and these environment variables.
pub fn tailor_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("the tailor binary runs");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Whether `python3` can import `module` (a reference a test compares with).
pub fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs the reference script `tests/cli/<script>` with `input` as JSON on its stdin and returns
/// the JSON it prints; its failure fails the test with its stderr.
pub fn python_json(script: &str, input: &serde_json::Value) -> serde_json::Value {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = Command::new("python3")
        .arg(repo().join("tests/cli").join(script))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.to_string().as_bytes())
        .expect("the script reads its input");
    let output = child.wait_with_output().expect("python3 ends");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

/// The repository's root folder.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary folder holding a fresh `tailor init` workspace at `ws/`.
pub struct StarterWorkspace {
    pub dir: tempfile::TempDir,
}

impl StarterWorkspace {
    pub fn new() -> StarterWorkspace {
        let dir = tempfile::tempdir().expect("a temp dir");
        let init = tailor(dir.path(), &["init", "ws"]);
        assert_eq!(init.code, 0, "init failed: {}", init.stderr);
        StarterWorkspace { dir }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join("ws").join(relative)
    }

    /// Replaces `from` by `to` in a file; the text must be there.
    pub fn replace(&self, relative: &str, from: &str, to: &str) {
        replace_in(&self.path(relative), from, to);
    }

    /// Writes a whole file.
    pub fn write(&self, relative: &str, contents: &str) {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        fs::write(path, contents).expect("write");
    }

    /// Runs `tailor check ws` with extra arguments.
    pub fn check(&self, extra: &[&str]) -> Output {
        let mut args = vec!["check", "ws"];
        args.extend_from_slice(extra);
        tailor(self.dir.path(), &args)
    }
}

/// Copies a folder tree, leaving out a local run's `.tailor`.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        // A local run's ledger and outbox are not part of the workspace.
        if entry.file_name() == ".tailor" {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// The demo workspace over the small hand-made shop of `tests/fixtures/small_shop` (six
/// profiles whose features and buckets the tests work out by hand): `campaigns/` in the
/// returned folder.
pub fn small_demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&repo().join("campaigns"), &dir.path().join("campaigns"));
    copy_tree(
        &repo().join("tests/fixtures/small_shop"),
        &dir.path().join("datasets/shop"),
    );
    dir
}

/// The demo workspace with its own datasets (`campaigns/` and `datasets/shop/` in the
/// returned folder), for runs that write a ledger and an outbox.
pub fn demo_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&repo().join("campaigns"), &dir.path().join("campaigns"));
    copy_tree(&repo().join("datasets/shop"), &dir.path().join("datasets/shop"));
    dir
}

/// The demo workspace with a shop generated by `shopgen` with `args` at the demo's clock
/// (2026-12-01T15:00:00Z), profiles and events in `format`.
pub fn generated_shop(format: &str, args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&repo().join("campaigns"), &dir.path().join("campaigns"));
    let out = dir.path().join("datasets/shop");
    let generated = Command::new(env!("CARGO_BIN_EXE_shopgen"))
        .args(args)
        .args(["--format", format, "--now", "2026-12-01T15:00:00Z", "--out"])
        .arg(&out)
        .output()
        .expect("shopgen runs");
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let schema = dir.path().join("campaigns/data.yaml");
    replace_in(&schema, "profiles.csv", &format!("profiles.{format}"));
    replace_in(&schema, "events.ndjson", &format!("events.{format}"));
    dir
}

/// Replaces `from` by `to` in a file; the text must be there.
pub fn replace_in(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(text.contains(from), "{} does not contain {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// Switches the demo manifest at `manifest` to SMTP on `127.0.0.1:port` (no TLS, no rate limit)
/// with `pool` connections and `retries` retries.
pub fn send_by_smtp(manifest: &Path, port: u16, pool: u32, retries: u32) {
    replace_in(manifest, "transport: outbox", "transport: smtp");
    replace_in(
        manifest,
        "smtp: { url: \"smtp://127.0.0.1:2525\", pool: 8, rate_per_second: 200, timeout: 30s, retries: 3 }",
        &format!("smtp: {{ url: \"smtp://127.0.0.1:{port}?tls=none\", pool: {pool}, rate_per_second: 0, timeout: 10s, retries: {retries} }}"),
    );
}

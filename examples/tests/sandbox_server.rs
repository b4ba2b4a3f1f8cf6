//! The sandbox example under attack, as root (which CI is) and as an unprivileged
//! user (created here when missing). Each attack is contained, answered with an
//! `isError` result naming its cause, leaves no process behind (checked in `/proc`),
//! and the next calls of `add` and `run` succeed.

use std::collections::HashSet;
use std::net::TcpListener;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use boltmcp::client::{CallOptions, Client};
use boltmcp::protocol::{CallToolResult, META_LOG_LEVEL};
use serde_json::{Value, json};

const SERVER: &str = env!("CARGO_BIN_EXE_sandbox-server");
const TEST_USER: &str = "boltmcp-test";
const SECRET: &str = "BOLTMCP_TEST_SECRET=do-not-read-me";

/// A sandbox server of the example, as `user` (uid, gid) or as whoever runs the test.
struct Served {
    client: Client,
    child: tokio::process::Child,
    /// Sandbox processes that existed before this server (zombies another test's
    /// killed server left to a system init that does not reap): not this one's.
    preexisting: HashSet<u32>,
    pid: u32,
    uid: u32,
    logs: Arc<Mutex<Vec<Value>>>,
}

/// The tests run one at a time: each checks that no sandbox process but its own
/// server's exists.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `attack` against a fresh server per user (see [`users`]), one test at a
/// time, and checks that each server, once stopped, leaves nothing behind.
#[allow(
    clippy::await_holding_lock,
    reason = "one test at a time, each on its own runtime"
)]
async fn against_each_server(flags: &[&str], attack: impl AsyncFn(&Served)) {
    let _alone = one_at_a_time();
    for user in users() {
        let served = serve_with(user, flags).await;
        attack(&served).await;
        served.stop().await;
    }
}

async fn serve_with(user: Option<(u32, u32)>, flags: &[&str]) -> Served {
    let uid = user.map_or_else(|| nix::unistd::geteuid().as_raw(), |(uid, _)| uid);
    let preexisting = processes()
        .into_iter()
        .filter(|p| is_sandboxed(p, uid))
        .map(|p| p.pid)
        .collect();
    let binary = match user {
        Some(_) => reachable_copy(),
        None => std::path::PathBuf::from(SERVER),
    };
    let mut command = tokio::process::Command::new(binary);
    command
        .args(flags)
        .env("BOLTMCP_TEST_SECRET", "do-not-read-me")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if let Some((uid, gid)) = user {
        command.uid(uid).gid(gid);
    }
    let mut child = command.spawn().expect("the example starts");
    let pid = child.id().expect("running");
    let (stdin, stdout) = (
        child.stdin.take().expect("stdin"),
        child.stdout.take().expect("stdout"),
    );
    let logs = Arc::new(Mutex::new(Vec::new()));
    let heard = logs.clone();
    let client = Client::builder()
        .on_notification(move |method, params| {
            if method == "notifications/message" {
                heard.lock().expect("logs").push(params);
            }
        })
        .connect_io(stdout, stdin, None)
        .await
        .expect("connects");
    Served {
        client,
        child,
        preexisting,
        pid,
        uid,
        logs,
    }
}

impl Served {
    /// Closes the server's stdin; it ends, its workers killed and reaped with it.
    async fn stop(self) {
        let Served {
            client,
            mut child,
            pid,
            uid,
            preexisting,
            ..
        } = self;
        drop(client);
        let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
            .await
            .expect("the server ends when its input closes")
            .expect("its status");
        assert!(status.success(), "{status:?}");
        all_gone(pid, uid, &preexisting).await;
    }

    async fn call(&self, tool: &str, arguments: Value) -> CallToolResult {
        self.client
            .call_tool(tool, arguments)
            .await
            .expect("an answer")
    }

    async fn run(&self, command: &str) -> CallToolResult {
        self.call("run", json!({ "command": command })).await
    }

    /// What a seccomp kill for `call` says: its name when the server runs as root
    /// (which may read the kernel's audit log), the signal otherwise.
    fn forbidden(&self, call: &str) -> &'static str {
        match (self.uid, call) {
            (0, "ptrace") => "killed: forbidden system call `ptrace`",
            (0, "socket") => "killed: forbidden system call `socket`",
            _ => "killed: forbidden system call (SIGSYS",
        }
    }

    /// The call failed, and its text says `cause`.
    async fn refused(&self, result: CallToolResult, cause: &str) {
        let text = text(&result);
        assert_eq!(
            result.is_error,
            Some(true),
            "expected an error naming {cause:?}: {text}"
        );
        assert!(text.contains(cause), "expected {cause:?} in: {text}");
        self.still_serves().await;
    }

    /// `add` and `run` answer, and nothing the sandbox started is left.
    async fn still_serves(&self) {
        let sum = self.call("add", json!({"a": 2, "b": 3})).await;
        assert_eq!(sum.structured_content, Some(json!({"result": 5.0})));
        let echoed = self.run("echo ok").await;
        assert_eq!(echoed.is_error, None, "{}", text(&echoed));
        assert_eq!(
            echoed
                .structured_content
                .as_ref()
                .map(|out| out["stdout"].clone()),
            Some(json!("ok\n"))
        );
        self.nothing_left_behind().await;
    }

    /// Every process of a sandbox user (and of the server's own user, when it is not
    /// root) is the server or one of its workers: no escapee, no orphan, no zombie.
    async fn nothing_left_behind(&self) {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let strays = self.strays();
            if strays.is_empty() {
                return;
            }
            assert!(Instant::now() < deadline, "left behind: {strays:#?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn strays(&self) -> Vec<String> {
        let mut strays = Vec::new();
        for process in processes() {
            let sandboxed =
                is_sandboxed(&process, self.uid) && !self.preexisting.contains(&process.pid);
            let ours = process.pid == self.pid
                || (process.ppid == self.pid
                    && process.cmdline.contains("--boltmcp-sandbox-worker"))
                || process.ppid == self.pid && process.state != 'Z';
            if sandboxed && !ours {
                strays.push(format!("{process:?}"));
            }
        }
        strays
    }

    fn workers(&self) -> HashSet<u32> {
        processes()
            .into_iter()
            .filter(|p| p.ppid == self.pid && p.cmdline.contains("--boltmcp-sandbox-worker"))
            .map(|p| p.pid)
            .collect()
    }
}

/// A process of a sandbox: one of a sandbox user's (started as root), or of the
/// server's own user when that is not root.
fn is_sandboxed(process: &Process, server_uid: u32) -> bool {
    process.uid >= 0x7000_0000 || (server_uid != 0 && process.uid == server_uid)
}

/// Waits until no sandbox process is left of the server `pid` (running as `uid`)
/// that ended, beside those that were there before it.
async fn all_gone(pid: u32, uid: u32, preexisting: &HashSet<u32>) {
    let left = || -> Vec<String> {
        processes()
            .into_iter()
            .filter(|p| p.pid != pid && is_sandboxed(p, uid) && !preexisting.contains(&p.pid))
            .map(|p| format!("{p:?}"))
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(3);
    while !left().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        left(),
        Vec::<String>::new(),
        "left behind by a server that ended"
    );
}

#[derive(Debug)]
struct Process {
    pid: u32,
    ppid: u32,
    uid: u32,
    state: char,
    cmdline: String,
}

fn processes() -> Vec<Process> {
    let mut all = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return all;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .map(str::trim)
                .unwrap_or_default()
                .to_owned()
        };
        let cmdline = std::fs::read(entry.path().join("cmdline"))
            .map(|raw| String::from_utf8_lossy(&raw).replace('\0', " "))
            .unwrap_or_default();
        all.push(Process {
            pid,
            ppid: field("PPid:").parse().unwrap_or(0),
            uid: field("Uid:")
                .split_whitespace()
                .next()
                .and_then(|u| u.parse().ok())
                .unwrap_or(0),
            state: field("State:").chars().next().unwrap_or('?'),
            cmdline,
        });
    }
    all
}

fn text(result: &CallToolResult) -> String {
    serde_json::to_value(&result.content)
        .ok()
        .and_then(|content| content[0]["text"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The example's binary where any user can run it: the checkout may sit below a
/// directory only root may enter (`/root`). The copy outlives this process (nothing
/// runs at a test binary's exit), so each run first removes the copies of runs that
/// have ended: each is 150 MB.
fn reachable_copy() -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    const PREFIX: &str = "boltmcp-sandbox-test-";
    static COPY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        let temp = std::env::temp_dir();
        for entry in std::fs::read_dir(&temp).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let ended = name
                .to_str()
                .and_then(|name| name.strip_prefix(PREFIX))
                .and_then(|pid| pid.parse::<u32>().ok())
                .is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists());
            if ended {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = temp.join(format!("{PREFIX}{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a directory for the copy");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))
            .expect("open to all");
        let copy = dir.join("sandbox-server");
        std::fs::copy(SERVER, &copy).expect("copied");
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755))
            .expect("runnable by all");
        copy
    })
    .clone()
}

/// The unprivileged user the tests run a second server as: created when missing
/// (the tests run as root in CI).
fn test_user() -> Option<(u32, u32)> {
    if !nix::unistd::geteuid().is_root() {
        return None;
    }
    let lookup = || nix::unistd::User::from_name(TEST_USER).ok().flatten();
    if lookup().is_none() {
        let made = std::process::Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                TEST_USER,
            ])
            .status()
            .expect("useradd runs");
        assert!(
            made.success() || lookup().is_some(),
            "could not create {TEST_USER}"
        );
    }
    lookup().map(|user| (user.uid.as_raw(), user.gid.as_raw()))
}

/// Each server the attacks run against: as whoever runs the tests, and, when that
/// is root, also as an unprivileged user.
fn users() -> Vec<Option<(u32, u32)>> {
    let mut users = vec![None];
    if let Some(user) = test_user() {
        users.push(Some(user));
    }
    users
}

#[tokio::test]
async fn sandboxed_tools_answer_and_report_progress_and_logs() {
    against_each_server(&[], async |served| {
        let reports = Arc::new(Mutex::new(Vec::new()));
        let heard = reports.clone();
        let result = served
            .client
            .call_tool_with(
                "fib",
                json!({"n": 20}),
                CallOptions::new()
                    .meta(META_LOG_LEVEL, json!("info"))
                    .on_progress(move |p| heard.lock().expect("reports").push(p.progress)),
            )
            .await
            .expect("fib");
        assert_eq!(
            result.structured_content,
            Some(json!({"result": 6765})),
            "{}",
            text(&result)
        );
        // Notifications reach the client's listeners on their own task: wait for them.
        let heard_all = || {
            reports.lock().expect("reports").len() == 2
                && served
                    .logs
                    .lock()
                    .expect("logs")
                    .iter()
                    .any(|log| log["data"] == "computing fib(20)")
        };
        let deadline = Instant::now() + Duration::from_secs(2);
        while !heard_all() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(*reports.lock().expect("reports"), [0.0, 1.0]);
        let logs = served.logs.lock().expect("logs").clone();
        assert!(
            logs.iter().any(|log| log["data"] == "computing fib(20)"),
            "{logs:?}"
        );
        // The worker that computed it is not the server.
        assert!(!served.workers().contains(&served.pid));
        assert!(!served.workers().is_empty());
        served.still_serves().await;
    })
    .await;
}

#[tokio::test]
async fn resource_attacks_are_contained_and_named() {
    against_each_server(&[], async |served| {
    served
        .refused(served.run("f(){ f|f; }; f").await, "Cannot fork")
        .await;
    served
        .refused(
            served.call("allocate", json!({"mib": 4096})).await,
            "killed: memory limit 256 MiB",
        )
        .await;
    served
        .refused(
            served.call("fib", json!({"n": 60})).await,
            "killed: CPU time limit 2 s",
        )
        .await;
    served
        .refused(
            served.run("while :; do :; done").await,
            "killed: CPU time limit 2 s",
        )
        .await;
    served
        .refused(
            served.run("head -c 20000000 /dev/zero > big").await,
            "killed: file size limit 16 MiB",
        )
        .await;
    let fds = served
        .run("perl -e 'my @held; while (open(my $fd, \"<\", \"/dev/null\")) { push @held, $fd } print scalar(@held); exit 3'")
        .await;
    served.refused(fds, "exit status 3").await;
    served
        .refused(served.run("sleep 10").await, "timed out after 5 s")
        .await;
    served
        .refused(served.run("kill -SEGV $$").await, "crashed: SIGSEGV")
        .await;
    // A background process that tries to outlive its call is gone with it.
    let background = served.run("sleep 1000 & echo started").await;
    assert_eq!(background.is_error, None, "{}", text(&background));
    served.nothing_left_behind().await;
    assert!(!processes().iter().any(|p| p.cmdline.trim() == "sleep 1000"));
    })
    .await;
}

#[tokio::test]
async fn the_server_and_the_system_are_out_of_reach() {
    against_each_server(&[], async |served| {
        let pid = served.pid;
        let marker = format!("/etc/boltmcp-sandbox-{}", std::process::id());
        served
            .refused(
                served.run(&format!("echo x > {marker}")).await,
                "Permission denied",
            )
            .await;
        assert!(!std::path::Path::new(&marker).exists());
        let outside = std::env::temp_dir().join(format!("boltmcp-outside-{}", std::process::id()));
        served
            .refused(
                served.run(&format!("echo x > {}", outside.display())).await,
                "Permission denied",
            )
            .await;
        assert!(!outside.exists());
        let shadow = served.run("cat /etc/shadow").await;
        assert!(!text(&shadow).contains("root:"), "{}", text(&shadow));
        served.refused(shadow, "Permission denied").await;
        // Its own environment is the allow-list, and it holds no descriptor beyond stdio.
        let env = served.run("env").await;
        let names: Vec<String> = env
            .structured_content
            .as_ref()
            .and_then(|out| out["stdout"].as_str())
            .unwrap_or_default()
            .lines()
            .filter_map(|line| Some(line.split_once('=')?.0.to_owned()))
            .collect();
        assert!(
            names.iter().all(
                |name| ["PATH", "HOME", "TMPDIR", "PWD", "LANG", "LC_ALL", "TZ"]
                    .contains(&name.as_str())
            ),
            "{names:?}"
        );
        let fds = served
            .run("for fd in 3 4 5 6 7 8 9; do (: >&$fd) 2>/dev/null && echo open $fd; done; true")
            .await;
        assert_eq!(
            fds.structured_content
                .as_ref()
                .map(|out| out["stdout"].clone()),
            Some(json!("")),
            "{}",
            text(&fds)
        );
        let environ = served.run(&format!("cat /proc/{pid}/environ")).await;
        assert!(!text(&environ).contains(SECRET));
        served.refused(environ, "/environ").await;
        served
            .refused(served.run(&format!("kill -9 {pid}")).await, "kill")
            .await;
        // ptrace(PTRACE_ATTACH, server): seccomp kills the tracer.
        served
            .refused(
                served
                    .run(&format!(
                        "perl -e 'syscall(101, 16, {pid}, 0, 0); print \"attached\"'"
                    ))
                    .await,
                served.forbidden("ptrace"),
            )
            .await;
        // The server is alive after all of it.
        assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    })
    .await;
}

#[tokio::test]
async fn the_network_is_out_of_reach() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a listener");
    listener.set_nonblocking(true).expect("non-blocking");
    let port = listener.local_addr().expect("bound").port();
    against_each_server(&[], async |served| {
        let connect = served
            .run(&format!("bash -c 'echo hello > /dev/tcp/127.0.0.1/{port}'"))
            .await;
        served.refused(connect, served.forbidden("socket")).await;
        assert!(
            matches!(listener.accept(), Err(err) if err.kind() == std::io::ErrorKind::WouldBlock),
            "the listener saw a connection"
        );
    })
    .await;
}

#[tokio::test]
async fn a_cancelled_call_kills_its_worker() {
    against_each_server(&[], async |served| {
        // Warm: both workers up.
        served.still_serves().await;
        let before = served.workers();
        let call = served.call("fib", json!({"n": 60}));
        // Dropped after half a second: the client sends notifications/cancelled.
        assert!(
            tokio::time::timeout(Duration::from_millis(500), call)
                .await
                .is_err()
        );
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let now = served.workers();
            if before.iter().any(|pid| !now.contains(pid)) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "no worker was killed: {before:?} {now:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        served.still_serves().await;
    })
    .await;
}

/// `GET /metrics` from the server at `port`: the exposition's body.
fn scrape(port: u16) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connects");
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .expect("asks");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("reads");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default()
}

/// The value of the series `name` whose labels include every one of `labels`.
fn series(exposition: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    exposition.lines().find_map(|line| {
        let (key, value) = line.rsplit_once(' ')?;
        let (metric, rest) = key.split_once('{').unwrap_or((key, ""));
        let matches = metric == name
            && labels
                .iter()
                .all(|(label, value)| rest.contains(&format!("{label}=\"{value}\"")));
        matches.then(|| value.parse().ok()).flatten()
    })
}

#[tokio::test]
#[allow(
    clippy::await_holding_lock,
    reason = "one test at a time, each on its own runtime"
)]
async fn the_sandbox_reports_per_tool_metrics() {
    let _alone = one_at_a_time();
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let preexisting: HashSet<u32> = processes()
        .into_iter()
        .filter(|p| is_sandboxed(p, 0))
        .map(|p| p.pid)
        .collect();
    let mut child = tokio::process::Command::new(SERVER)
        .args(["--http", &format!("127.0.0.1:{port}"), "--metrics"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("the example starts");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server did not listen");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let client = Client::builder()
        .connect_http(&format!("http://127.0.0.1:{port}/mcp"))
        .await
        .expect("connects");
    let call = |tool: &'static str, arguments: Value| {
        let client = &client;
        async move { client.call_tool(tool, arguments).await.expect("an answer") }
    };
    assert_eq!(call("fib", json!({"n": 20})).await.is_error, None);
    assert_eq!(
        call("allocate", json!({"mib": 4096})).await.is_error,
        Some(true)
    );
    assert_eq!(call("fib", json!({"n": 60})).await.is_error, Some(true));
    assert_eq!(call("add", json!({"a": 1, "b": 2})).await.is_error, None);

    let exposition = scrape(port);
    let value = |name: &str, labels: &[(&str, &str)]| {
        series(&exposition, name, labels)
            .unwrap_or_else(|| panic!("no {name} {labels:?} in:\n{exposition}"))
    };
    assert_eq!(value("mcp_sandbox_calls_total", &[("tool", "fib")]), 2.0);
    assert_eq!(
        value("mcp_sandbox_calls_total", &[("tool", "allocate")]),
        1.0
    );
    assert_eq!(
        series(&exposition, "mcp_sandbox_calls_total", &[("tool", "add")]),
        None
    );
    assert_eq!(
        value(
            "mcp_sandbox_failures_total",
            &[("tool", "allocate"), ("cause", "memory")]
        ),
        1.0
    );
    assert_eq!(
        value(
            "mcp_sandbox_failures_total",
            &[("tool", "fib"), ("cause", "cpu")]
        ),
        1.0
    );
    assert_eq!(
        value("mcp_sandbox_wall_seconds_count", &[("tool", "fib")]),
        2.0
    );
    assert_eq!(
        value("mcp_sandbox_cpu_seconds_count", &[("tool", "fib")]),
        2.0
    );
    // fib(60) ran to its 2 s CPU limit.
    assert!(value("mcp_sandbox_cpu_seconds_sum", &[("tool", "fib")]) >= 1.5);
    assert!(value("mcp_sandbox_peak_rss_bytes", &[("tool", "fib")]) > 0.0);
    assert!(
        value(
            "mcp_sandbox_workers_started_total",
            &[("policy", "default")]
        ) >= 2.0
    );
    for cause in ["memory", "cpu"] {
        assert_eq!(
            value(
                "mcp_sandbox_workers_replaced_total",
                &[("policy", "default"), ("cause", cause)]
            ),
            1.0
        );
    }
    // The server's own per-tool series count the same calls.
    assert_eq!(
        value(
            "mcp_server_requests_total",
            &[("method", "tools/call"), ("target", "fib")]
        ),
        2.0
    );
    drop(client);
    // Stopped as an operator would (Ctrl-C): its workers are killed and reaped with it.
    let pid =
        nix::unistd::Pid::from_raw(i32::try_from(child.id().expect("running")).expect("a pid"));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).expect("signalled");
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("it stops")
        .expect("its status");
    assert!(status.success(), "{status:?}");
    all_gone(pid.as_raw().unsigned_abs(), 0, &preexisting).await;
}

#[tokio::test]
async fn workers_are_replaced_after_their_share_of_calls_or_memory() {
    for (flags, tool, arguments) in [
        (["--max-worker-calls", "3"], "fib", json!({"n": 1})),
        (
            ["--max-worker-rss-mib", "32"],
            "allocate",
            json!({"mib": 64}),
        ),
    ] {
        against_each_server(&flags, async |served| {
            served.still_serves().await;
            let before = served.workers();
            for _ in 0..3 {
                let result = served.call(tool, arguments.clone()).await;
                assert_eq!(result.is_error, None, "{}", text(&result));
            }
            let deadline = Instant::now() + Duration::from_secs(3);
            while before.is_subset(&served.workers()) {
                assert!(
                    Instant::now() < deadline,
                    "no worker was replaced: {before:?}"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            served.still_serves().await;
        })
        .await;
    }
}

#[tokio::test]
#[allow(
    clippy::await_holding_lock,
    reason = "one test at a time, each on its own runtime"
)]
async fn workers_die_with_their_server() {
    let _alone = one_at_a_time();
    for user in users() {
        let mut served = serve_with(user, &[]).await;
        served.still_serves().await;
        let workers = served.workers();
        assert!(!workers.is_empty());
        // Killed outright: no chance to stop its workers itself.
        served.child.start_kill().expect("killed");
        let _ = served.child.wait().await;
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let alive: Vec<u32> = processes()
                .into_iter()
                .filter(|p| workers.contains(&p.pid) && p.state != 'Z')
                .map(|p| p.pid)
                .collect();
            if alive.is_empty() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "workers outlived their server: {alive:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

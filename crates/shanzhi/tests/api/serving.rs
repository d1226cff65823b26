//! The server process as an operator runs it: its serving limits are flags, and SIGTERM stops it cleanly.

use crate::helpers::temp_dir;
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn serve(dir: &std::path::Path, extra: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_shanzhi"))
        .arg("--data")
        .arg(dir)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .env("SHANZHI_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run shanzhi")
}

#[test]
fn the_serving_limits_refuse_nonsense() {
    let dir = temp_dir();
    for (flag, value) in
        [("--max-connections", "0"), ("--header-read-timeout-secs", "0"), ("--shutdown-grace-secs", "x")]
    {
        let out = serve(&dir, &[flag, value]).wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {err}");
        assert!(err.contains(flag), "{flag} {value}: {err}");
    }
}

#[test]
fn sigterm_stops_the_server_within_its_grace_period() {
    let dir = temp_dir();
    let mut child = serve(&dir, &["--shutdown-grace-secs", "2"]);
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().rsplit("http://").next().unwrap().to_string();
    // A client that opened a connection and sent half a request holds nothing up.
    let mut half = std::net::TcpStream::connect(&addr).unwrap();
    std::io::Write::write_all(&mut half, b"GET / HTTP/1.1\r\n").unwrap();
    let asked = Instant::now();
    let kill = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if asked.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("still running 20 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    assert!(asked.elapsed() < Duration::from_secs(10), "exited {:?} after SIGTERM", asked.elapsed());
    assert!(std::net::TcpStream::connect(&addr).is_err(), "nothing listens any more");
}

//! `report --format html` and the timeline of `report --format md`: content, escaping of hostile
//! text, overdue marks, the Mermaid gantt block, and (where Chromium is installed) a real headless
//! browser rendering the HTML without fetching anything.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/run_helpers.rs"]
mod support;
#[path = "support/tools.rs"]
mod tools;

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::Env;

const HOSTILE_NOTE: &str = "<script>alert('pwned')</script> \"><img src=x onerror=alert(1)> & <a href=\"https://evil.invalid/\">x</a>";

/// A run of window.md with every kind of record: ticks, a skip, a gate, a sign-off, a hostile note,
/// a code block and an orphan (after a re-base). Returns (env, run id).
fn busy_run() -> (Env, String) {
    let env = Env::new();
    let id = env.start("window.md", &["--var", "VERSION=2.4.1"]);
    env.ok(&["tick", &id, "announce"]);
    env.ok(&["note", &id, "drain", HOSTILE_NOTE]);
    env.ok(&["skip", &id, "drain", "--reason", "pool <b>empty</b>"]);
    env.ok(&["gate", &id, "go/no-go", "go", "--reason", "0.2% errors"]);
    env.ok(&["sign", &id, "qa lead", "--as", "Quinn"]);
    env.ok(&["note", &id, "freeze merges", "frozen at 20:55"]);
    // Drop "Freeze merges" from the template and re-base: its record becomes an orphan.
    let tpl = env.template_copy("window.md");
    let text = std::fs::read_to_string(&tpl).unwrap();
    std::fs::write(&tpl, text.replace("- [x] Freeze merges to main\n", "")).unwrap();
    env.ok(&["rebase", &id]);
    (env, id)
}

fn html_report(env: &Env, id: &str) -> (PathBuf, String) {
    let out = env.tmp.path().join("record.html");
    env.ok(&[
        "report",
        id,
        "--format",
        "html",
        "-o",
        out.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&out).unwrap();
    (out, html)
}

/// Every tag in the file as written (`<tag attr="v">`). Text never holds a raw `<`: it is escaped.
fn tags(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let end = rest[i..].find('>').map_or(rest.len(), |e| i + e + 1);
        out.push(rest[i..end].to_owned());
        rest = &rest[end..];
    }
    out
}

/// The elements a report may use: no script, link, img, iframe, object, a, form, base, use.
const ALLOWED: [&str; 37] = [
    "!doctype",
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "footer",
    "section",
    "article",
    "figure",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "em",
    "del",
    "p",
    "div",
    "span",
    "strong",
    "code",
    "pre",
    "ul",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "svg",
    "rect",
];
const ALLOWED_SVG: [&str; 2] = ["line", "text"];

/// Attributes that make a browser fetch something.
const FETCHING: [&str; 9] = [
    " src=",
    " href=",
    " srcset=",
    " action=",
    " poster=",
    " data=",
    " xlink:href=",
    " background=",
    " formaction=",
];

fn assert_inert(html: &str) {
    for tag in tags(html) {
        let lower = tag.to_lowercase();
        let name: String = lower
            .trim_start_matches("</")
            .trim_start_matches('<')
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect();
        assert!(
            ALLOWED.contains(&name.as_str()) || ALLOWED_SVG.contains(&name.as_str()),
            "unexpected element {tag:?}"
        );
        for attr in FETCHING {
            assert!(!lower.contains(attr), "resource reference in {tag:?}");
        }
        assert!(!lower.contains(" on"), "event handler in {tag:?}");
    }
    let style = &html[html.find("<style>").unwrap()..html.find("</style>").unwrap()];
    assert!(
        !style.contains("url(") && !style.contains("@import"),
        "CSS fetches"
    );
}

#[test]
fn html_has_the_whole_record() {
    let (env, id) = busy_run();
    let (_, html) = html_report(&env, &id);
    let s = env.status_json(&id);
    let run = &s["run"];
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..80]);
    assert!(html.trim_end().ends_with("</html>"));
    let qa = s["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["text"] == "QA Lead")
        .unwrap();
    let user_host = format!(
        "{}@{}",
        qa["actor"]["user"].as_str().unwrap(),
        qa["actor"]["host"].as_str().unwrap()
    );
    for needle in [
        "<title>Run record: Payments 2.4.1 deploy window</title>",
        "Template SHA-256",
        run["base_sha256"].as_str().unwrap(),
        run["template_sha256"].as_str().unwrap(),
        run["head"].as_str().unwrap(),
        "<th>Window</th>",
        "<th>Window source (a guess)</th>",
        "first clock section",
        "Run ended",
        "Operators",
        "Tester (",
        "Quinn (",
        // sections, items, states, who, code
        "21:00 Rollout",
        "Announce the window in #ops",
        "badge done",
        "badge skipped",
        "pg_dump orders &gt; /backups/orders-2.4.1.sql",
        // sign-off table
        "<section id=\"signoffs\">",
        "Signed by",
        "When (local, UTC)",
        &user_host,
        " UTC)",
        // exceptions and gates
        "<section id=\"exceptions\">",
        "pool &lt;b&gt;empty&lt;/b&gt;",
        "<section id=\"gates\">",
        "0.2% errors",
        // timeline
        "<svg id=\"timeline\"",
        "class=\"planned\"",
        "class=\"actual",
        "<section id=\"planned-vs-actual\">",
        "Planned slot",
        // orphans and the event log
        "<section id=\"orphans\">",
        "Freeze merges to main",
        "<section id=\"events\">",
        "<section id=\"ids\">",
        // printable
        "@media print",
        "@page",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
}

#[test]
fn html_escapes_hostile_text_and_loads_nothing() {
    let (env, id) = busy_run();
    let (_, html) = html_report(&env, &id);
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "a note became a script");
    assert!(!lower.contains("<img"), "a note became an image");
    assert!(!lower.contains("<a "), "a note became a link");
    assert_inert(&html);
    assert!(
        html.contains(
            "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp;"
        ),
        "note shown as text"
    );
    // The only http(s) text in the file is the note's, escaped.
    for (i, _) in html.match_indices("http") {
        let around = &html[i.saturating_sub(20)..(i + 30).min(html.len())];
        assert!(
            around.contains("https://evil.invalid/") || around.contains("http-equiv"),
            "unexpected {around:?}"
        );
    }
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
}

const HOSTILE_TEMPLATE: &str = "# Evil \\<script>alert(1)\\</script> window

## 21:00 `<script>alert(2)</script>` Rollout & \"more\" ; # % :

- [ ] Deploy `<img src=x onerror=alert(3)>` now
  ```sh
  echo '</code></pre><script>alert(4)</script>'
  ```
- [ ] **Ops Lead:** ________
";

#[test]
fn hostile_template_text_is_escaped_in_html_svg_and_mermaid() {
    let env = Env::new();
    let tpl = env.tmp.path().join("evil.md");
    std::fs::write(&tpl, HOSTILE_TEMPLATE).unwrap();
    let id = env.ok(&["start", tpl.to_str().unwrap()]).trim().to_owned();
    env.ok(&["tick", &id, "deploy"]);
    env.ok(&["sign", &id, "ops", "--as", "<i>Eve</i>"]);
    let (_, html) = html_report(&env, &id);
    assert_inert(&html);
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script") && !lower.contains("<img") && !lower.contains("<b>"));
    assert!(!lower.contains("<i>"));
    assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt; Rollout &amp; &quot;more&quot;"));
    assert!(html.contains("&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(4)&lt;/script&gt;"));
    assert!(html.contains("&lt;i&gt;Eve&lt;/i&gt;"));
    let md = env.ok(&["report", &id]);
    let block = &md[md.find("```mermaid").unwrap()..];
    let block = &block[..block[3..].find("```").unwrap()];
    assert!(!block.contains('<') && !block.contains('"'), "{block}");
    assert!(
        block.contains("section 21∶00 script alert(2) /script Rollout more ∶\n"),
        "{block}"
    );
}

#[test]
fn markdown_has_gantt_and_signoff_table() {
    let (env, id) = busy_run();
    let md = env.ok(&["report", &id, "--format", "md"]);
    let start = md
        .find("```mermaid\ngantt\n")
        .expect("a mermaid gantt block");
    let block = &md[start..];
    let block = &block[..block[10..].find("```").unwrap() + 13];
    for needle in [
        "    dateFormat YYYY-MM-DD HH:mm:ss\n",
        "    axisFormat %H:%M\n",
        "    section 21∶00 Rollout\n",
        "    Planned 21∶00 :",
        "    section Before the window\n",
        "    Actual ",
    ] {
        assert!(block.contains(needle), "missing {needle:?} in\n{block}");
    }
    for line in block.lines().filter(|l| l.starts_with("    ")) {
        let l = line.trim_start();
        if l.starts_with("section ") || l.starts_with("title ") {
            assert!(!l.contains([':', ';', '#']), "{l}");
        } else if !l.contains("Format") && l != "todayMarker off" {
            // `name :tags, start, end` with exactly one colon separating name and data.
            let (name, data) = l.split_once(" :").unwrap_or_else(|| panic!("{l}"));
            assert!(!name.contains([':', ';', '#']), "{l}");
            let parts: Vec<&str> = data.split(", ").collect();
            assert!(parts.len() >= 2, "{l}");
            for t in &parts[parts.len() - 2..] {
                assert!(
                    chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").is_ok(),
                    "{t} in {l}"
                );
            }
        }
    }
    // Sign-off table: role, who signed (with OS user@host), time local + UTC.
    assert!(
        md.contains("| Role | Item | Signed by | State | When (local, UTC) |"),
        "{md}"
    );
    let s = env.status_json(&id);
    let qa = s["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["text"] == "QA Lead")
        .unwrap();
    let row = md
        .lines()
        .find(|l| l.starts_with("| QA Lead | QA Lead | Quinn ("))
        .expect("QA Lead sign-off row");
    assert!(
        row.contains(&format!(
            "| Quinn ({}@{}) |",
            qa["actor"]["user"].as_str().unwrap(),
            qa["actor"]["host"].as_str().unwrap()
        )),
        "{row}"
    );
    assert!(row.contains(" UTC) |"), "{row}");
}

const DRILL: &str = "# Overdue drill

## T-60m Prep

- [ ] Check backups

## T-30m Freeze

- [ ] Freeze merges

## T+600m Later

- [ ] Later thing
";

#[test]
fn overdue_sections_are_marked_in_md_and_html() {
    let env = Env::new();
    let tpl = env.tmp.path().join("drill.md");
    std::fs::write(&tpl, DRILL).unwrap();
    let id = env.ok(&["start", tpl.to_str().unwrap()]).trim().to_owned();
    // Prep's slot (start-60m to start-30m) is over: still open, it is overdue.
    let md = env.ok(&["report", &id]);
    assert!(
        md.contains("Planned T-60m not started overdue :crit,"),
        "{md}"
    );
    env.ok(&["tick", &id, "check backups"]);
    env.ok(&["tick", &id, "freeze merges"]);
    let md = env.ok(&["report", &id]);
    assert!(md.contains("Actual 1/1 overdue :crit,"), "{md}");
    assert!(
        md.contains("Actual 1/1 :done,"),
        "Freeze finished inside its slot: {md}"
    );
    assert!(md.contains("Overdue: T-60m Prep."), "{md}");
    assert!(md.contains("The window start is a guess"), "{md}");
    let prep_row = md
        .lines()
        .find(|l| l.starts_with("| T-60m Prep |"))
        .unwrap();
    // No window was given: the run's start is a guess, and the mark says so.
    assert!(
        prep_row.ends_with("| **overdue (guessed window)** |"),
        "{prep_row}"
    );
    // Prep's slot ends where Freeze's begins (T-30m); Later, the last, gets 30 minutes.
    let started = chrono::DateTime::parse_from_rfc3339(
        env.status_json(&id)["run"]["started_at"].as_str().unwrap(),
    )
    .unwrap();
    // The slots run from T-60m to T+630m: when that crosses midnight, the report gives dates.
    let at = |m: i64| started + chrono::Duration::minutes(m);
    let days = at(-60).date_naive() != at(630).date_naive();
    let slot = |a: i64, b: i64| {
        let start = at(a).format(if days { "%Y-%m-%d %H:%M" } else { "%H:%M" });
        let end = if at(a).date_naive() == at(b).date_naive() {
            at(b).format("%H:%M").to_string()
        } else {
            at(b).format("%Y-%m-%d %H:%M").to_string()
        };
        format!("{start}–{end}")
    };
    assert!(
        prep_row.starts_with(&format!("| T-60m Prep | {} |", slot(-60, -30))),
        "{prep_row}"
    );
    let freeze_row = md
        .lines()
        .find(|l| l.starts_with("| T-30m Freeze |"))
        .unwrap();
    assert!(freeze_row.ends_with("| on time |"), "{freeze_row}");
    let later_row = md
        .lines()
        .find(|l| l.starts_with("| T+600m Later |"))
        .unwrap();
    assert!(later_row.ends_with("| open |"), "{later_row}");
    assert!(
        later_row.contains(&format!("| {} |", slot(600, 630))),
        "{later_row}"
    );

    let (_, html) = html_report(&env, &id);
    assert!(html.contains("class=\"actual complete overdue\""), "{html}");
    assert!(html.contains("<text class=\"overdue\""));
    assert!(
        html.contains("<line class=\"now\""),
        "active run has a now-line"
    );
    assert_eq!(
        html.matches("<span class=\"badge failed\">overdue (guessed window)</span>")
            .count(),
        1
    );
    env.ok(&["tick", &id, "later thing"]);
    env.ok(&["finish", &id]);
    let (_, html) = html_report(&env, &id);
    assert!(
        !html.contains("<line class=\"now\""),
        "ended run: no now-line"
    );
    assert!(html.contains(">ended</text>"));
}

#[test]
fn json_report_is_unchanged_by_html() {
    let (env, id) = busy_run();
    let out = env.tmp.path().join("r.json");
    env.ok(&[
        "report",
        &id,
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(r["sections"].is_array() && r["timeline"].is_array());
    let (code, _, err) = env.run(&["report", &id, "--format", "pdf"]);
    assert_eq!(code, 2);
    assert!(err.contains("html"), "{err}");
}

// ---- headless Chromium ----

/// Debian's Chromium; `RUNSHEET_TEST_CHROMIUM` names another binary.
fn chromium_path() -> PathBuf {
    std::env::var_os("RUNSHEET_TEST_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// A proxy that records the first line of every request it receives and answers 502.
struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop2.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut sock, _)) => {
                        sock.set_nonblocking(false).ok();
                        sock.set_read_timeout(Some(Duration::from_secs(2))).ok();
                        let mut line = String::new();
                        BufReader::new(&sock).read_line(&mut line).ok();
                        seen2.lock().unwrap().push(line.trim().to_owned());
                        use std::io::Write;
                        sock.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                            .ok();
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Proxy { port, seen, stop }
    }

    /// Requests seen, minus connections that never sent a request line (preconnects).
    fn requests(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|r| !r.is_empty())
            .cloned()
            .collect()
    }

    /// Requests the page could have caused: everything except Chromium's own background traffic,
    /// which it sends whatever page it shows and whatever `--disable-*` flags it gets (update
    /// checks, network time, account cookies, component downloads).
    fn page_requests(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| !browser_own(r))
            .collect()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The host a proxy request line names (`GET http://h/p HTTP/1.1`, `CONNECT h:443 HTTP/1.1`).
fn host_of(request: &str) -> String {
    let target = request.split_whitespace().nth(1).unwrap_or("");
    let rest = target.split_once("://").map_or(target, |(_, r)| r);
    let host_port = rest.split('/').next().unwrap_or("");
    host_port
        .rsplit_once(':')
        .map_or(host_port, |(h, _)| h)
        .to_lowercase()
}

/// Chromium's own service endpoints, seen with a blank page too; matched by exact host so a page
/// loading, say, a web font from another host of the same company is still caught.
fn browser_own(request: &str) -> bool {
    let host = host_of(request);
    const HOSTS: [&str; 4] = [
        "update.googleapis.com",
        "accounts.google.com",
        "clients2.google.com",
        "redirector.gvt1.com",
    ];
    HOSTS.contains(&host.as_str()) || host.ends_with(".gvt1.com")
}

/// Runs headless Chromium on `page` with every request sent to `proxy`; returns (stdout, stderr).
fn chromium(profile: &Path, proxy: &Proxy, extra: &[String], page: &Path) -> (String, String) {
    let mut child = Command::new(chromium_path())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--window-size=1200,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--proxy-server=127.0.0.1:{}", proxy.port))
        .arg("--proxy-bypass-list=<-loopback>")
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).ok();
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).ok();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (out, err) = (out_thread.join().unwrap(), err_thread.join().unwrap());
    assert!(status.success(), "chromium failed ({status}):\n{err}");
    (out, err)
}

#[test]
fn html_renders_in_headless_chromium_without_network() {
    let bin = chromium_path();
    if !tools::require(
        bin.exists(),
        "chromium",
        "html_renders_in_headless_chromium_without_network",
        "install Debian's `chromium`; .ci/run does",
    ) {
        return;
    }
    let (env, id) = busy_run();
    let (page, html) = html_report(&env, &id);
    let proxy = Proxy::start();
    let profile = env.tmp.path().join("chromium-profile");

    // The detector works: a page that loads remote resources reaches the proxy.
    let control = env.tmp.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><body><img src=\"http://runsheet-test.invalid/pixel.png\">\
         <link rel=\"stylesheet\" href=\"http://runsheet-test.invalid/x.css\"></body></html>",
    )
    .unwrap();
    chromium(&profile, &proxy, &["--dump-dom".into()], &control);
    let control_requests = proxy.page_requests();
    assert!(
        control_requests
            .iter()
            .any(|r| r.contains("runsheet-test.invalid")),
        "the proxy saw nothing from the control page: {control_requests:?}"
    );
    proxy.seen.lock().unwrap().clear();

    // The report: rendered DOM has the timeline, and the proxy sees no request at all.
    let (dom, _) = chromium(&profile, &proxy, &["--dump-dom".into()], &page);
    assert!(dom.contains("<svg id=\"timeline\""), "{dom}");
    assert!(dom.contains("class=\"actual"), "timeline bars in the DOM");
    assert!(dom.contains("Run record: Payments 2.4.1 deploy window"));
    assert!(
        dom.contains("&lt;script&gt;alert('pwned')&lt;/script&gt;"),
        "the note stays text in the DOM"
    );
    assert!(!dom.to_lowercase().contains("<script"));

    let shot = env.tmp.path().join("shot.png");
    chromium(
        &profile,
        &proxy,
        &[format!("--screenshot={}", shot.display())],
        &page,
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        png.len() > 20_000,
        "screenshot looks blank: {} bytes",
        png.len()
    );

    let pdf = env.tmp.path().join("print.pdf");
    chromium(
        &profile,
        &proxy,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".into(),
        ],
        &page,
    );
    let pdf = std::fs::read(&pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF"), "printing produced no PDF");
    assert!(pdf.len() > 5_000, "PDF looks empty: {} bytes", pdf.len());

    std::thread::sleep(Duration::from_millis(200));
    let requests = proxy.page_requests();
    assert!(
        requests.is_empty(),
        "the report made network requests: {requests:?}"
    );
    eprintln!(
        "chromium's own background requests (ignored): {:?}",
        proxy
            .requests()
            .iter()
            .map(|r| host_of(r))
            .collect::<Vec<_>>()
    );
    assert!(html.len() < 200_000);
}

// ---- timeline labels: geometry read back from Chromium's layout ----

/// Runs `runsheet ARGS` with the clock fixed at `now` (RFC 3339); returns stdout.
fn at(env: &Env, now: &str, args: &[&str]) -> String {
    let out = env
        .cmd()
        .env("RUNSHEET_NOW", now)
        .env("TZ", "America/New_York")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "runsheet {args:?} at {now} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const ONE_MINUTE: &str = "# Failover drill 🚑

## 🚀 Fail over the primary database to the standby in the other region and verify replication

- [ ] Promote the standby
- [ ] Point the writers at it

## ✅ Checks

- [ ] Replication lag under a second
- [ ] Error rate flat
";

const FOUR_HOURS: &str = "# Night migration

## 20:00 Announce

- [ ] Post in #ops

## 20:30 Freeze writes

- [ ] Freeze

## 21:00 Snapshot 📸

- [ ] Snapshot

## 21:30 Migrate schema, batch one of three (orders, payments, refunds)

- [ ] Batch one

## 22:30 Migrate schema, batch two

- [ ] Batch two

## 23:00 Verify

- [ ] Verify counts

## 23:30 Go/No-Go for traffic

## 23:45 Unfreeze

- [ ] Unfreeze
";

/// Text boxes of the timeline SVG as laid out by headless Chromium at 1200 px: (svg box, and per
/// label its text and box), each box `[left, top, right, bottom]` in CSS pixels.
type Geometry = ([f64; 4], Vec<(String, [f64; 4])>);

fn svg_geometry(env: &Env, html: &str, name: &str) -> Geometry {
    // A copy of the report with a script that measures every <text> of the timeline and writes
    // the numbers into the page (the report itself forbids scripts by its CSP).
    let csp_start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let csp_end = csp_start + html[csp_start..].find('>').unwrap() + 1;
    let probe = "<script>\
        const svg = document.getElementById('timeline');\
        const s = svg.getBoundingClientRect();\
        const boxes = [...svg.querySelectorAll('text')].map(t => {\
          const r = t.getBoundingClientRect();\
          return [t.childNodes[0].nodeValue, [r.left, r.top, r.right, r.bottom]];\
        });\
        const pre = document.createElement('pre');\
        pre.id = 'geometry';\
        pre.textContent = JSON.stringify([[s.left, s.top, s.right, s.bottom], boxes]);\
        document.body.appendChild(pre);\
        </script>";
    let measured = format!(
        "{}{}",
        &html[..csp_start],
        html[csp_end..].replace("</body>", &format!("{probe}</body>"))
    );
    let page = env.tmp.path().join(format!("{name}-probe.html"));
    std::fs::write(&page, measured).unwrap();
    let proxy = Proxy::start();
    let profile = env.tmp.path().join(format!("{name}-profile"));
    let (dom, _) = chromium(
        &profile,
        &proxy,
        &["--dump-dom".into(), "--virtual-time-budget=3000".into()],
        &page,
    );
    let start = dom.find("<pre id=\"geometry\">").expect("the probe ran") + 19;
    let json = &dom[start..start + dom[start..].find("</pre>").unwrap()];
    let json = json
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap()
}

fn assert_no_overlap_or_clip((svg, boxes): &Geometry, what: &str) {
    assert!(boxes.len() >= 4, "{what}: too few labels: {boxes:?}");
    for (text, b) in boxes {
        assert!(
            b[2] > b[0] && b[3] > b[1],
            "{what}: {text:?} not drawn: {b:?}"
        );
        assert!(
            b[0] >= svg[0] - 0.5
                && b[2] <= svg[2] + 0.5
                && b[1] >= svg[1] - 0.5
                && b[3] <= svg[3] + 0.5,
            "{what}: {text:?} {b:?} is clipped by the picture {svg:?}"
        );
    }
    for (i, (ta, a)) in boxes.iter().enumerate() {
        for (tb, b) in &boxes[i + 1..] {
            let w = a[2].min(b[2]) - a[0].max(b[0]);
            let h = a[3].min(b[3]) - a[1].max(b[1]);
            assert!(
                w <= 0.5 || h <= 0.5,
                "{what}: labels overlap: {ta:?} {a:?} and {tb:?} {b:?}"
            );
        }
    }
}

fn screenshot(env: &Env, page: &Path, name: &str) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let shot = dir.join(format!("{name}.png"));
    let proxy = Proxy::start();
    let profile = env.tmp.path().join(format!("{name}-shot-profile"));
    chromium(
        &profile,
        &proxy,
        &[format!("--screenshot={}", shot.display())],
        page,
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000,
        "{name}: blank?"
    );
    eprintln!("screenshot: {}", shot.display());
}

#[test]
fn timeline_labels_never_overlap_or_clip_for_a_one_minute_and_a_four_hour_run() {
    if !tools::require(
        chromium_path().exists(),
        "chromium",
        "timeline_labels_never_overlap_or_clip_for_a_one_minute_and_a_four_hour_run",
        "install Debian's `chromium`; .ci/run does",
    ) {
        return;
    }
    // One minute: window 22:00–22:01, four ticks within it, finished at 22:01 (the window end, the
    // run's end and the start all within a minute: their labels must stack, not collide).
    let env = Env::new();
    let tpl = env.tmp.path().join("drill.md");
    std::fs::write(&tpl, ONE_MINUTE).unwrap();
    let t = |s: u32| format!("2026-12-02T22:00:{s:02}+01:00");
    let id = at(
        &env,
        &t(0),
        &[
            "start",
            tpl.to_str().unwrap(),
            "--window",
            "2026-12-02 22:00-22:01",
        ],
    )
    .trim()
    .to_owned();
    at(&env, &t(10), &["tick", &id, "promote"]);
    at(&env, &t(20), &["tick", &id, "point the writers"]);
    at(&env, &t(30), &["tick", &id, "replication lag"]);
    at(
        &env,
        &t(40),
        &["fail", &id, "error rate", "--note", "5xx spike"],
    );
    at(
        &env,
        "2026-12-02T22:01:00+01:00",
        &[
            "finish",
            &id,
            "--accept-exceptions",
            "--reason",
            "drill only",
        ],
    );
    let out = env.tmp.path().join("one-minute.html");
    at(
        &env,
        "2026-12-02T22:05:00+01:00",
        &[
            "report",
            &id,
            "--format",
            "html",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains(">ended</text>") && html.contains(">window end</text>"));
    assert!(
        html.contains("class=\"actual failed\""),
        "the failed check's section is red"
    );
    let g = svg_geometry(&env, &html, "one-minute");
    assert_no_overlap_or_clip(&g, "one-minute run");
    assert!(
        g.1.iter().any(|(t, _)| t.starts_with("✗ ")),
        "failed lane marked: {:?}",
        g.1
    );
    screenshot(&env, &out, "one-minute-run");

    // Four hours, over midnight (tick labels carry the date), with overdue sections.
    let env = Env::new();
    let tpl = env.tmp.path().join("night.md");
    std::fs::write(&tpl, FOUR_HOURS).unwrap();
    let t = |hm: &str| format!("2026-12-02T{hm}:00+01:00");
    let id = at(
        &env,
        &t("19:55"),
        &["start", tpl.to_str().unwrap(), "--window", "20:00 for 4h"],
    )
    .trim()
    .to_owned();
    for (when, item) in [
        ("20:02", "post in"),
        ("20:31", "freeze"),
        ("21:20", "snapshot"),
        ("22:40", "batch one"),
        ("22:55", "batch two"),
        ("23:10", "verify counts"),
    ] {
        at(&env, &t(when), &["tick", &id, item]);
    }
    at(&env, &t("23:31"), &["gate", &id, "go/no-go", "go"]);
    at(
        &env,
        "2026-12-03T00:02:00+01:00",
        &["tick", &id, "unfreeze"],
    );
    at(&env, "2026-12-03T00:03:00+01:00", &["finish", &id]);
    let out = env.tmp.path().join("four-hours.html");
    at(
        &env,
        "2026-12-03T00:10:00+01:00",
        &[
            "report",
            &id,
            "--format",
            "html",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(
        html.contains("<text class=\"overdue\""),
        "late batches are marked"
    );
    let g = svg_geometry(&env, &html, "four-hours");
    assert_no_overlap_or_clip(&g, "four-hour run");
    assert!(
        g.1.iter().filter(|(t, _)| t.contains(':')).count() >= 3,
        "tick labels drawn: {:?}",
        g.1
    );
    screenshot(&env, &out, "four-hour-run");
}

//! `report --format html` and the timeline of `report --format md`: content, escaping of hostile
//! text, overdue marks, the Mermaid gantt block, and (where Chromium is installed) a real headless
//! browser rendering the HTML without fetching anything.

#![allow(clippy::unwrap_used)]

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
    let hm = |m: i64| {
        (started + chrono::Duration::minutes(m))
            .format("%H:%M")
            .to_string()
    };
    assert!(
        prep_row.starts_with(&format!("| T-60m Prep | {}–{} |", hm(-60), hm(-30))),
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
        later_row.contains(&format!("| {}–{} |", hm(600), hm(630))),
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

//! `prepare`: substitution, secrets, console transcripts, destructive blocks, refusals; and the
//! fold of command events.

use super::*;
use crate::run::event::{Actor, Change, CommandEnd, Event, ExecSetting, GENESIS};
use std::collections::BTreeMap;

const TPL: &str = r#"---
secrets: TOKEN
exec-timeout: 5m
---
# Release {{ VERSION }}

## Setup

```bash
export KUBECONFIG=/etc/k
```

- [ ] Deploy {{ VERSION }}

  ```console
  $ helm upgrade app --version {{ VERSION }}  # Expected: STATUS deployed
  Release "app" has been upgraded.
  $ curl -H "Authorization: {{ TOKEN }}" https://x/health
  ok
  ```

- [ ] Drop old tables

  ```bash danger timeout=90s
  psql -c 'DROP TABLE old'
  ```

- [ ] Check dashboards

  ```yaml
  a: 1
  ```

- [ ] Auto

  ```sh auto-tick
  true
  ```

- [ ] Missing

  ```bash
  echo {{ REGION }}
  ```
"#;

fn actor() -> Actor {
    Actor {
        user: "ops".into(),
        host: "h".into(),
        name: "Alice".into(),
    }
}

fn setup(exec: Option<ExecSetting>) -> (Template, Run) {
    let t = crate::template::parse_str("t.md", TPL).unwrap();
    let mut vars = BTreeMap::new();
    vars.insert("VERSION".to_owned(), "2.4.1".to_owned());
    let start = Change::Start {
        schema_version: crate::run::SCHEMA_VERSION,
        run_id: "2026-11-23-release-0001".into(),
        title: t.title.clone(),
        name: None,
        template_path: "/t.md".into(),
        template_sha256: "00".into(),
        vars,
        steps: false,
        rules: crate::template::LOADER_RULES,
        exec,
    };
    let (ev, _) = Event::seal(
        1,
        chrono::Local::now().fixed_offset(),
        actor(),
        start,
        GENESIS,
    )
    .unwrap();
    (t, Run::from_start(&ev).unwrap())
}

fn here() -> Option<ExecSetting> {
    Some(ExecSetting {
        enabled: true,
        cwd: std::env::temp_dir().display().to_string(),
        off_by: None,
    })
}

fn item(t: &Template, text: &str) -> Target {
    Target::Item(
        t.items
            .iter()
            .find(|i| i.text.starts_with(text))
            .unwrap()
            .id
            .clone(),
    )
}

fn token() -> Secrets {
    let mut s = Secrets::new();
    s.insert("TOKEN", "Bearer xyz-123");
    s
}

#[test]
fn console_block_is_stripped_substituted_and_secrets_masked() {
    let (t, run) = setup(here());
    let p = prepare(
        &t,
        &run,
        &item(&t, "Deploy"),
        &Settings::default(),
        &token(),
    )
    .unwrap();
    assert_eq!(p.title, "Deploy 2.4.1");
    assert_eq!(
        p.text,
        "helm upgrade app --version 2.4.1  # Expected: STATUS deployed\ncurl -H \"Authorization: ‹secret TOKEN›\" https://x/health"
    );
    assert!(p.script.expose().contains("Authorization: Bearer xyz-123"));
    assert!(!p.text.contains("xyz-123"));
    assert!(
        !format!("{p:?}").contains("xyz-123"),
        "Debug hides the script and env"
    );
    assert_eq!(p.expected, vec!["STATUS deployed"]);
    assert_eq!(p.needs_code, None);
    assert_eq!(
        p.timeout,
        Duration::from_secs(300),
        "front matter exec-timeout"
    );
    assert_eq!(p.cwd, std::env::temp_dir());
    assert_eq!(p.cwd_source, "where the run was started");
    let env: BTreeMap<&str, &str> = p
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), v.expose()))
        .collect();
    assert_eq!(env["RUNSHEET_RUN"], "2026-11-23-release-0001");
    assert_eq!(env["RUNSHEET_ITEM"], p.target.key());
    assert_eq!(env["RUNSHEET_VAR_VERSION"], "2.4.1");
    assert_eq!(env["RUNSHEET_VAR_TOKEN"], "Bearer xyz-123");
    assert_eq!(
        p.text_sha256(),
        crate::run::event::sha256_hex(p.text.as_bytes())
    );
}

#[test]
fn destructive_block_needs_the_items_code() {
    let (t, run) = setup(here());
    let target = item(&t, "Drop old tables");
    let p = prepare(&t, &run, &target, &Settings::default(), &Secrets::new()).unwrap();
    let code = target.short_code().to_owned();
    assert_eq!(code.len(), 8);
    assert_eq!(p.needs_code.as_deref(), Some(code.as_str()));
    assert_eq!(
        p.timeout,
        Duration::from_secs(90),
        "block flag wins over front matter"
    );
    assert!(matches!(
        p.check_code(None),
        Err(PrepareError::WrongCode { given: false, .. })
    ));
    assert!(matches!(
        p.check_code(Some("deadbeef")),
        Err(PrepareError::WrongCode { given: true, .. })
    ));
    assert_eq!(p.check_code(Some(&code.to_uppercase())), Ok(()));
    assert!(p.preview().contains("DESTRUCTIVE"));
}

#[test]
fn refusals_say_why() {
    let (t, run) = setup(here());
    let s = Settings::default();
    let no_secret = prepare(&t, &run, &item(&t, "Deploy"), &s, &Secrets::new()).unwrap_err();
    assert_eq!(
        no_secret,
        PrepareError::MissingVars {
            names: vec![],
            secrets: vec!["TOKEN".into()]
        }
    );
    assert!(no_secret.to_string().contains("--secret"));
    let missing = prepare(&t, &run, &item(&t, "Missing"), &s, &Secrets::new()).unwrap_err();
    assert!(missing.to_string().contains("REGION"), "{missing}");
    let yaml = prepare(&t, &run, &item(&t, "Check dashboards"), &s, &Secrets::new()).unwrap_err();
    assert!(yaml.to_string().contains("yaml"), "{yaml}");
    let off = Settings {
        enabled: false,
        off_by: Some("config".into()),
        ..Settings::default()
    };
    assert!(matches!(
        prepare(&t, &run, &item(&t, "Auto"), &off, &Secrets::new()),
        Err(PrepareError::Disabled(_))
    ));
    let (t2, run2) = setup(Some(ExecSetting {
        enabled: false,
        cwd: "/".into(),
        off_by: Some("--no-exec".into()),
    }));
    let e = prepare(&t2, &run2, &item(&t2, "Auto"), &s, &Secrets::new()).unwrap_err();
    assert!(e.to_string().contains("--no-exec"), "{e}");
    let gone = Settings {
        cwd: Some("/no/such/dir".into()),
        ..Settings::default()
    };
    assert!(matches!(
        prepare(&t, &run, &item(&t, "Auto"), &gone, &Secrets::new()),
        Err(PrepareError::NoDir { .. })
    ));
}

#[test]
fn auto_tick_and_sections() {
    let (t, run) = setup(here());
    let s = Settings::default();
    let p = prepare(&t, &run, &item(&t, "Auto"), &s, &Secrets::new()).unwrap();
    assert!(p.auto_tick);
    assert!(p.args.ends_with(&["-e".to_owned(), "-c".to_owned()]));
    let setup_key = section_key(&t, 1);
    assert!(setup_key.starts_with("§setup-"), "{setup_key}");
    assert_eq!(
        find_target(&t, &run, "setup").unwrap(),
        Target::Section(setup_key.clone())
    );
    let p = prepare(&t, &run, &Target::Section(setup_key), &s, &Secrets::new()).unwrap();
    assert_eq!(p.text, "export KUBECONFIG=/etc/k");
    assert!(!p.auto_tick);
    assert!(matches!(
        find_target(&t, &run, "drop old"),
        Ok(Target::Item(_))
    ));
}

#[test]
fn the_fold_keeps_commands_and_knows_which_items_were_verified_by_command() {
    let (t, mut run) = setup(here());
    let Target::Item(id) = item(&t, "Auto") else {
        unreachable!()
    };
    let mut head = run.head.clone();
    let mut seq = 1;
    let mut apply = |run: &mut Run, change: Change| {
        seq += 1;
        let (ev, _) = Event::seal(
            seq,
            chrono::Local::now().fixed_offset(),
            actor(),
            change,
            &head,
        )
        .unwrap();
        head = ev.hash.clone();
        run.apply(&ev);
    };
    let started = |s: u64| Change::CommandStarted {
        item: Some(id.clone()),
        section: None,
        command: "true".into(),
        command_sha256: "x".into(),
        shell: "/bin/sh -e -c".into(),
        cwd: "/".into(),
        output: format!("outputs/a{s}.log"),
        timeout_secs: 60,
        confirmed: "--yes".into(),
        line: 40,
    };
    let finished = |s: u64, code: i32| Change::CommandFinished {
        item: Some(id.clone()),
        section: None,
        started: s,
        end: CommandEnd::Exited,
        exit_code: Some(code),
        signal: None,
        duration_ms: 5,
        output_bytes: 0,
        stored_bytes: 0,
        output_sha256: "e3".into(),
        error: None,
    };
    apply(&mut run, started(2));
    assert!(run.items[&id].commands[0].unfinished());
    apply(&mut run, finished(2, 3));
    apply(
        &mut run,
        Change::Tick {
            item: id.clone(),
            note: None,
            after_no_go: false,
        },
    );
    assert!(
        !run.items[&id].verified_by_command(),
        "ticked by hand after a failure"
    );
    apply(&mut run, started(5));
    apply(&mut run, finished(5, 0));
    let rec = &run.items[&id];
    assert_eq!(rec.commands.len(), 2);
    assert!(rec.verified_by_command());
    apply(&mut run, finished(99, 0));
    assert!(
        run.anomalies.iter().any(|a| a.contains("seq 99")),
        "{:?}",
        run.anomalies
    );
}

fn finish_of(running: &spawn::Running) -> (String, spawn::Finished) {
    let mut text = String::new();
    loop {
        match running
            .events()
            .recv_timeout(Duration::from_secs(60))
            .unwrap()
        {
            spawn::ExecEvent::Output(t) => text.push_str(&t),
            spawn::ExecEvent::Finished(f) => return (text, f),
        }
    }
}

#[test]
fn spawn_reports_exit_and_output_and_a_shell_that_cannot_start() {
    let (t, run) = setup(here());
    let tmp = tempfile::tempdir().unwrap();
    let dir = crate::store::safe::Dir::open(tmp.path(), false)
        .unwrap()
        .unwrap();
    let mut p = prepare(
        &t,
        &run,
        &item(&t, "Auto"),
        &Settings::default(),
        &Secrets::new(),
    )
    .unwrap();
    p.script = Hidden("echo out; echo err >&2; exit 4".into());
    let file = output::OutputFile::create(&dir, "t", 4096).unwrap();
    let rel = file.rel();
    let running = spawn::spawn(&p, file, &spawn::SpawnOptions::default());
    assert!(running.pid().is_some());
    let (text, f) = finish_of(&running);
    assert_eq!(text, "out\nerr\n");
    assert_eq!((f.end, f.exit_code), (CommandEnd::Exited, Some(4)));
    assert_eq!(f.shell_status(), 4);
    assert_eq!(f.output_bytes, 8);
    assert_eq!(output::digest(&dir, &rel).unwrap().0, f.output_sha256);

    p.program = "/nonexistent/shell".into();
    let file = output::OutputFile::create(&dir, "t", 4096).unwrap();
    let running = spawn::spawn(&p, file, &spawn::SpawnOptions::default());
    let (_, f) = finish_of(&running);
    assert_eq!(f.end, CommandEnd::NotStarted);
    assert_eq!(f.shell_status(), 127);
    assert!(f.error.unwrap().contains("/nonexistent/shell"));
}

use super::*;
use std::fs::Permissions;
use std::os::unix::fs::PermissionsExt;

fn env(vars: &[(&str, &str)], home: &Path) -> MapEnv {
    MapEnv {
        vars: vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        home: Some(home.to_owned()),
        user: "ops".to_owned(),
    }
}

fn resolve(spec: &str, e: &MapEnv) -> Result<Settings, SharedError> {
    Settings::resolve(&conninfo::parse(spec).unwrap(), e)
}

#[test]
fn defaults_follow_libpq_os_user_socket_and_port() {
    let home = tempfile::tempdir().unwrap();
    let s = resolve("", &env(&[], home.path())).unwrap();
    assert_eq!(s.user, "ops");
    assert_eq!(s.dbname, "ops");
    assert_eq!(s.ports, vec![5432]);
    assert!(matches!(s.hosts.as_slice(), [Host::Socket(_)]));
    assert_eq!(s.tls.transport, Transport::Plain);
    assert!(s.password().is_none());
    assert_eq!(s.application_name, "runsheet");
}

#[test]
fn explicit_settings_beat_the_service_file_which_beats_the_environment() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".pg_service.conf"),
        "[team]\nhost=127.0.0.1\nport=6001\ndbname=from_service\n",
    )
    .unwrap();
    let e = env(
        &[
            ("PGHOST", "127.0.0.2"),
            ("PGPORT", "7000"),
            ("PGUSER", "envuser"),
            ("PGDATABASE", "from_env"),
            ("PGSYSCONFDIR", "/nonexistent"),
        ],
        home.path(),
    );
    let s = resolve("service=team port=6002", &e).unwrap();
    assert_eq!(s.hosts, vec![Host::Tcp("127.0.0.1".into())]);
    assert_eq!(s.ports, vec![6002]);
    assert_eq!(s.dbname, "from_service");
    assert_eq!(s.user, "envuser");
    let s = resolve("", &e).unwrap();
    assert_eq!(s.hosts, vec![Host::Tcp("127.0.0.2".into())]);
    assert_eq!(s.ports, vec![7000]);
    assert_eq!(s.dbname, "from_env");
    let mut with_service = e.clone();
    with_service.vars.insert("PGSERVICE".into(), "team".into());
    assert_eq!(resolve("", &with_service).unwrap().dbname, "from_service");
    let err = resolve("service=missing", &e).unwrap_err().to_string();
    assert!(err.contains("missing"), "{err}");
}

#[test]
fn pgpass_is_used_for_the_host_port_db_and_role_and_ignored_when_others_can_read_it() {
    let home = tempfile::tempdir().unwrap();
    let pass = home.path().join(".pgpass");
    std::fs::write(
        &pass,
        "db.example.com:5432:runs:alice:horse-battery\nlocalhost:5432:*:*:socketpw\n",
    )
    .unwrap();
    std::fs::set_permissions(&pass, Permissions::from_mode(0o600)).unwrap();
    let e = env(&[], home.path());
    let s = resolve("postgresql://alice@db.example.com/runs", &e).unwrap();
    assert_eq!(s.password().map(Secret::expose), Some("horse-battery"));
    let s = resolve("host=/tmp dbname=x user=bob", &e).unwrap();
    assert_eq!(s.password().map(Secret::expose), Some("socketpw"));
    let debug = format!("{s:?}");
    assert!(
        !debug.contains("socketpw"),
        "Debug shows the password: {debug}"
    );
    std::fs::set_permissions(&pass, Permissions::from_mode(0o644)).unwrap();
    let s = resolve("postgresql://alice@db.example.com/runs", &e).unwrap();
    assert!(s.password().is_none());
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("group or world access")),
        "{:?}",
        s.warnings
    );
    let e2 = env(
        &[
            ("PGPASSFILE", "/nonexistent/pgpass"),
            ("PGPASSWORD", "from-env"),
        ],
        home.path(),
    );
    let s = resolve("postgresql://alice@db.example.com/runs", &e2).unwrap();
    assert_eq!(s.password().map(Secret::expose), Some("from-env"));
    assert_eq!(s.password_source.as_deref(), Some("PGPASSWORD"));
}

#[test]
fn a_remote_host_always_gets_verify_full_whatever_sslmode_says() {
    let home = tempfile::tempdir().unwrap();
    let e = env(&[], home.path());
    for mode in [
        "",
        "?sslmode=prefer",
        "?sslmode=allow",
        "?sslmode=require",
        "?sslmode=verify-ca",
        "?sslmode=verify-full",
    ] {
        let s = resolve(&format!("postgresql://db.example.com/runs{mode}"), &e).unwrap();
        assert_eq!(s.tls.transport, Transport::Required, "{mode}");
        assert_eq!(s.tls.verify, Verify::Full, "{mode}");
    }
    let e = resolve(
        "postgresql://db.example.com/runs?sslmode=disable",
        &env(&[], home.path()),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("refused") && e.contains(INSECURE_ENV), "{e}");
    // host decides, not hostaddr: a name with a loopback address is still checked as remote.
    let s = resolve(
        "host=db.test hostaddr=127.0.0.1 sslmode=disable",
        &env(&[(INSECURE_ENV, "1")], home.path()),
    )
    .unwrap();
    assert_eq!(s.tls.transport, Transport::Plain);
    assert!(
        s.warnings.iter().any(|w| w.contains("PLAINTEXT")),
        "{:?}",
        s.warnings
    );
    let s = resolve(
        "host=db.test hostaddr=127.0.0.1 sslmode=require",
        &env(&[], home.path()),
    )
    .unwrap();
    assert_eq!(s.tls.verify, Verify::Full);
}

#[test]
fn local_hosts_follow_sslmode_like_libpq() {
    let home = tempfile::tempdir().unwrap();
    let e = env(&[], home.path());
    let s = resolve("host=127.0.0.1", &e).unwrap();
    assert_eq!(s.tls.transport, Transport::Opportunistic);
    let s = resolve("host=localhost sslmode=disable", &e).unwrap();
    assert_eq!(s.tls.transport, Transport::Plain);
    let s = resolve("host=::1 sslmode=require", &e).unwrap();
    assert_eq!(
        (s.tls.transport, s.tls.verify),
        (Transport::Required, Verify::None)
    );
    let s = resolve("host=127.0.0.1 sslmode=verify-full", &e).unwrap();
    assert_eq!(s.tls.verify, Verify::Full);
    let pg = home.path().join(".postgresql");
    std::fs::create_dir(&pg).unwrap();
    std::fs::write(pg.join("root.crt"), "x").unwrap();
    let s = resolve("host=127.0.0.1 sslmode=require", &e).unwrap();
    assert_eq!(s.tls.verify, Verify::Ca);
    assert_eq!(s.tls.roots, Roots::File(pg.join("root.crt")));
    let s = resolve("host=127.0.0.1 sslmode=verify-full sslrootcert=system", &e).unwrap();
    assert_eq!(s.tls.roots, Roots::System);
    assert!(resolve("host=x sslrootcert=/nonexistent/ca.pem", &e).is_err());
}

#[test]
fn client_key_must_be_private() {
    let home = tempfile::tempdir().unwrap();
    let cert = home.path().join("c.crt");
    let key = home.path().join("c.key");
    std::fs::write(&cert, "x").unwrap();
    std::fs::write(&key, "x").unwrap();
    std::fs::set_permissions(&key, Permissions::from_mode(0o644)).unwrap();
    let spec = format!(
        "host=db.example.com sslcert={} sslkey={}",
        cert.display(),
        key.display()
    );
    let e = resolve(&spec, &env(&[], home.path()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("group or world access"), "{e}");
    std::fs::set_permissions(&key, Permissions::from_mode(0o600)).unwrap();
    let s = resolve(&spec, &env(&[], home.path())).unwrap();
    assert_eq!(s.tls.client_cert, Some((cert, key)));
}

#[test]
fn kerberos_gets_a_clear_message() {
    let home = tempfile::tempdir().unwrap();
    let e = resolve("host=x gssencmode=require", &env(&[], home.path()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("Kerberos/GSSAPI is not supported"), "{e}");
    let s = resolve("host=127.0.0.1 krbsrvname=postgres", &env(&[], home.path())).unwrap();
    assert!(s.warnings.iter().any(|w| w.contains("Kerberos")));
}

#[test]
fn several_hosts_need_matching_ports_and_default_to_read_write() {
    let home = tempfile::tempdir().unwrap();
    let e = env(&[], home.path());
    let s = resolve(
        "postgresql://a.example.com:5432,b.example.com:5433/runs",
        &e,
    )
    .unwrap();
    assert_eq!(s.ports, vec![5432, 5433]);
    assert!(s.read_write);
    assert!(resolve("host=a,b,c port=1,2", &e).is_err());
    assert!(resolve("host=a port=99999", &e).is_err());
    assert_eq!(
        resolve(
            "postgresql://alice@a.example.com:5432,b.example.com:5433/runs",
            &e
        )
        .unwrap()
        .target(),
        "a.example.com,b.example.com:5432,5433/runs as alice"
    );
}

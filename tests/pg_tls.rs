//! TLS and logins against a server of the test's own with a throwaway CA (made by `openssl req`):
//! the right name and CA are accepted; a wrong host name, an unknown CA and a server without TLS
//! are refused (no plaintext fallback); passwords come from ~/.pgpass and never show in errors.
#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/pg.rs"]
mod pg;

use pg::tools;
use runsheet::pg::SharedError;
use runsheet::pg::connect::Session;
use runsheet::pg::conninfo;
use runsheet::pg::settings::{MapEnv, Settings};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const PASSWORD: &str = "correct-Horse-battery-staple-42";
const WRONG: &str = "Wr0ng-Pa55word-that-must-not-leak";

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a server certificate for `db.test` signed by it, and a second CA nobody trusts.
fn certificates(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    for ca in ["ca", "other-ca"] {
        let mut a = vec!["req", "-x509"];
        a.extend(ec);
        let key = format!("{ca}.key");
        let crt = format!("{ca}.crt");
        let subj = format!("/CN=runsheet test {ca}");
        a.extend(["-keyout", &key, "-out", &crt, "-days", "2", "-subj", &subj]);
        a.extend([
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        openssl(dir, &a);
    }
    let mut a = vec!["req"];
    a.extend(ec);
    a.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=db.test",
    ]);
    openssl(dir, &a);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:db.test\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
}

struct Tls {
    cluster: pg::Cluster,
    certs: tempfile::TempDir,
}

fn setup(test: &str) -> Option<Tls> {
    if !pg::can_start_clusters(test)
        || !tools::require(
            tools::runs("openssl", &["version"]),
            "openssl",
            test,
            "apt-get install openssl",
        )
    {
        return None;
    }
    let certs = tempfile::tempdir().unwrap();
    certificates(certs.path());
    let hba = certs.path().join("pg_hba.conf");
    std::fs::write(
        &hba,
        "local all all trust\n\
         hostssl all carol 127.0.0.1/32 scram-sha-256\n\
         hostssl all dave 127.0.0.1/32 gss\n\
         host all carol 127.0.0.1/32 reject\n\
         host all all 127.0.0.1/32 trust\n",
    )
    .unwrap();
    let crt = certs.path().join("server.crt");
    let key = certs.path().join("server.key");
    let cluster = pg::Cluster::start(&[
        "--ssl",
        crt.to_str().unwrap(),
        key.to_str().unwrap(),
        "--hba",
        hba.to_str().unwrap(),
    ]);
    pg::client(&cluster.admin)
        .batch_execute(&format!(
            "CREATE ROLE carol LOGIN PASSWORD '{PASSWORD}'; CREATE ROLE dave LOGIN"
        ))
        .unwrap();
    Some(Tls { cluster, certs })
}

fn settings(spec: &str, home: &Path, vars: &[(&str, &str)]) -> Result<Settings, SharedError> {
    let env = MapEnv {
        vars: vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        home: Some(home.to_owned()),
        user: "nobody".into(),
    };
    Settings::resolve(&conninfo::parse(spec)?, &env)
}

fn connect(spec: &str, home: &Path, vars: &[(&str, &str)]) -> Result<Session, SharedError> {
    Session::connect(Arc::new(settings(spec, home, vars)?))
}

impl Tls {
    fn ca(&self, name: &str) -> PathBuf {
        self.certs.path().join(format!("{name}.crt"))
    }
    /// Connects to 127.0.0.1 under the host name `host` (the name on the certificate matters).
    fn spec(&self, host: &str, ca: &str, extra: &str) -> String {
        format!(
            "host={host} hostaddr=127.0.0.1 port={} dbname=postgres sslrootcert={} {extra}",
            self.cluster.port,
            self.ca(ca).display()
        )
    }
}

fn tls_with_the_right_name_and_ca_is_verified_and_used(t: &Tls) {
    let home = tempfile::tempdir().unwrap();
    let s = connect(&t.spec("db.test", "ca", "user=rs_admin"), home.path(), &[]).unwrap();
    let tls = s.facts().tls.clone().unwrap();
    assert!(
        tls.starts_with("TLSv1.3") || tls.starts_with("TLSv1.2"),
        "{tls}"
    );
    assert!(
        s.settings().tls.summary.starts_with("verify-full"),
        "{}",
        s.settings().tls.summary
    );
    // sslmode=require for a host that is not local is still verified (raised to verify-full).
    let s = connect(
        &t.spec("db.test", "ca", "user=rs_admin sslmode=require"),
        home.path(),
        &[],
    )
    .unwrap();
    assert!(s.facts().tls.is_some());
}

fn a_wrong_host_name_and_an_unknown_ca_are_refused(t: &Tls) {
    let home = tempfile::tempdir().unwrap();
    let e = connect(
        &t.spec("other.test", "ca", "user=rs_admin"),
        home.path(),
        &[],
    )
    .unwrap_err();
    assert!(matches!(e, SharedError::Tls { .. }), "{e}");
    assert!(e.to_string().contains("not for the host name"), "{e}");
    for mode in ["", "sslmode=require", "sslmode=verify-ca", "sslmode=prefer"] {
        let e = connect(
            &t.spec("db.test", "other-ca", &format!("user=rs_admin {mode}")),
            home.path(),
            &[],
        )
        .unwrap_err();
        assert!(matches!(e, SharedError::Tls { .. }), "{mode}: {e}");
        assert!(
            e.to_string().contains("not signed by a trusted CA"),
            "{mode}: {e}"
        );
    }
    // The system trust store does not know a throwaway CA either.
    let spec = format!(
        "host=db.test hostaddr=127.0.0.1 port={} dbname=postgres user=rs_admin",
        t.cluster.port
    );
    assert!(matches!(
        connect(&spec, home.path(), &[]),
        Err(SharedError::Tls { .. })
    ));
}

/// One cluster with TLS for these checks (starting one per test cost seconds each).
#[test]
fn tls_names_cas_passwords_and_kerberos() {
    let Some(t) = setup("tls_names_cas_passwords_and_kerberos") else {
        return;
    };
    tls_with_the_right_name_and_ca_is_verified_and_used(&t);
    a_wrong_host_name_and_an_unknown_ca_are_refused(&t);
    passwords_come_from_pgpass_and_never_appear_in_errors(&t);
    a_server_asking_for_kerberos_gets_a_clear_message(&t);
}

#[test]
fn no_plaintext_fallback_for_a_host_beyond_this_machine() {
    let Some(admin) = pg::admin("no_plaintext_fallback") else {
        return;
    };
    // A server without TLS (the shared test cluster, plaintext on 127.0.0.1) reached under a
    // non-local name: refused, never silently in plaintext.
    let port: u16 = pg::client(&admin)
        .query_one("SELECT current_setting('port')::int", &[])
        .map(|r| r.get::<_, i32>(0))
        .unwrap()
        .try_into()
        .unwrap();
    struct Plain {
        port: u16,
    }
    let plain = Plain { port };
    let home = tempfile::tempdir().unwrap();
    for mode in ["", "sslmode=prefer", "sslmode=allow", "sslmode=require"] {
        let spec = format!(
            "host=db.test hostaddr=127.0.0.1 port={} dbname=postgres user=rs_admin {mode}",
            plain.port
        );
        let e = connect(&spec, home.path(), &[]).unwrap_err();
        assert!(matches!(e, SharedError::Tls { .. }), "{mode}: {e}");
        assert!(
            e.to_string().contains("does not fall back to plaintext"),
            "{mode}: {e}"
        );
    }
    let spec = format!(
        "host=db.test hostaddr=127.0.0.1 port={} dbname=postgres user=rs_admin sslmode=disable",
        plain.port
    );
    let e = connect(&spec, home.path(), &[]).unwrap_err().to_string();
    assert!(
        e.contains("refused") && e.contains("RUNSHEET_PG_INSECURE"),
        "{e}"
    );
    // Only the explicit, loud opt-in honours it.
    let s = connect(&spec, home.path(), &[("RUNSHEET_PG_INSECURE", "1")]).unwrap();
    assert!(s.facts().tls.is_none());
    assert!(
        s.settings()
            .warnings
            .iter()
            .any(|w| w.contains("PLAINTEXT"))
    );
    // On this machine (a loopback address), libpq's `prefer` falls back as users expect.
    let local = format!(
        "host=127.0.0.1 port={} dbname=postgres user=rs_admin",
        plain.port
    );
    assert!(
        connect(&local, home.path(), &[])
            .unwrap()
            .facts()
            .tls
            .is_none()
    );
}

fn passwords_come_from_pgpass_and_never_appear_in_errors(t: &Tls) {
    let home = tempfile::tempdir().unwrap();
    let pgpass = home.path().join(".pgpass");
    let spec = t.spec("db.test", "ca", "user=carol");
    let write = |pw: &str, mode: u32| {
        std::fs::write(
            &pgpass,
            format!("db.test:{}:*:carol:{pw}\n", t.cluster.port),
        )
        .unwrap();
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    // Wrong password: refused, and the error names where it came from but not what it is.
    write(WRONG, 0o600);
    let e = connect(&spec, home.path(), &[]).unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(matches!(e, SharedError::Auth { .. }), "{e}");
    assert!(shown.contains("password authentication failed"), "{shown}");
    assert!(shown.contains(".pgpass"), "{shown}");
    assert!(!shown.contains(WRONG), "the password leaked: {shown}");
    let s = settings(&spec, home.path(), &[]).unwrap();
    assert!(!format!("{s:?}").contains(WRONG));
    // Right password: in.
    write(PASSWORD, 0o600);
    let s = connect(&spec, home.path(), &[]).unwrap();
    assert_eq!(s.role(), "carol");
    // A pgpass others can read is ignored, as libpq does, with a warning.
    write(PASSWORD, 0o644);
    let e = connect(&spec, home.path(), &[]).unwrap_err();
    assert!(e.to_string().contains("none was found"), "{e}");
    assert!(
        settings(&spec, home.path(), &[])
            .unwrap()
            .warnings
            .iter()
            .any(|w| w.contains("group or world"))
    );
    // PGPASSWORD works too, and never shows either.
    let e = connect(&spec, home.path(), &[("PGPASSWORD", WRONG)]).unwrap_err();
    assert!(!format!("{e} {e:?}").contains(WRONG));
    connect(&spec, home.path(), &[("PGPASSWORD", PASSWORD)]).unwrap();
    // In a connection string it is refused before anything is sent, without repeating it.
    let url = format!(
        "postgresql://carol:{PASSWORD}@db.test:{}/postgres",
        t.cluster.port
    );
    let e = settings(&url, home.path(), &[]).unwrap_err().to_string();
    assert!(e.contains("password") && !e.contains(PASSWORD), "{e}");
}

fn a_server_asking_for_kerberos_gets_a_clear_message(t: &Tls) {
    let home = tempfile::tempdir().unwrap();
    let e = connect(&t.spec("db.test", "ca", "user=dave"), home.path(), &[]).unwrap_err();
    assert!(matches!(e, SharedError::Auth { .. }), "{e}");
    assert!(e.to_string().contains("Kerberos/GSSAPI"), "{e}");
}

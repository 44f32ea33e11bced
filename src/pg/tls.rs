//! The OpenSSL connector for a [`TlsPlan`]: trusted roots (one PEM file, or the system store),
//! certificate and host-name checks, an optional client certificate, TLS 1.2 at least.

use super::error::SharedError;
use super::settings::{Roots, TlsPlan, Verify};
use openssl::ssl::{SslConnector, SslFiletype, SslMethod, SslVerifyMode, SslVersion};
use openssl::x509::X509;
use openssl::x509::store::X509StoreBuilder;
use postgres_openssl::MakeTlsConnector;

/// Builds the connector. Host names are checked by OpenSSL against the certificate's names (an IP
/// address against its IP entries) when the plan says [`Verify::Full`].
pub fn connector(plan: &TlsPlan) -> Result<MakeTlsConnector, SharedError> {
    let ssl = |what: &str| {
        let what = what.to_owned();
        move |e: openssl::error::ErrorStack| SharedError::Config(format!("TLS set-up: {what}: {e}"))
    };
    let mut b = SslConnector::builder(SslMethod::tls_client()).map_err(ssl("OpenSSL"))?;
    b.set_min_proto_version(Some(SslVersion::TLS1_2))
        .map_err(ssl("minimum version"))?;
    if plan.verify == Verify::None {
        b.set_verify(SslVerifyMode::NONE);
    } else {
        b.set_verify(SslVerifyMode::PEER);
        if let Roots::File(path) = &plan.roots {
            // Only this file's CAs: the system store that `SslConnector::builder` loaded is replaced.
            let pem = std::fs::read(path)
                .map_err(|e| SharedError::Config(format!("sslrootcert {}: {e}", path.display())))?;
            let certs = X509::stack_from_pem(&pem).map_err(|e| {
                SharedError::Config(format!(
                    "sslrootcert {}: not PEM certificates: {e}",
                    path.display()
                ))
            })?;
            if certs.is_empty() {
                return Err(SharedError::Config(format!(
                    "sslrootcert {}: holds no certificate",
                    path.display()
                )));
            }
            let mut store = X509StoreBuilder::new().map_err(ssl("trust store"))?;
            for c in certs {
                store.add_cert(c).map_err(ssl("trust store"))?;
            }
            b.set_cert_store(store.build());
        }
    }
    if let Some((cert, key)) = &plan.client_cert {
        b.set_certificate_chain_file(cert)
            .map_err(|e| SharedError::Config(format!("sslcert {}: {e}", cert.display())))?;
        b.set_private_key_file(key, SslFiletype::PEM)
            .map_err(|e| SharedError::Config(format!("sslkey {}: {e}", key.display())))?;
        b.check_private_key().map_err(|e| {
            SharedError::Config(format!(
                "sslkey {} does not match sslcert {}: {e}",
                key.display(),
                cert.display()
            ))
        })?;
    }
    let mut connector = MakeTlsConnector::new(b.build());
    let verify = plan.verify;
    connector.set_callback(move |config, _domain| {
        if verify != Verify::Full {
            config.set_verify_hostname(false);
        }
        if verify == Verify::None {
            config.set_verify(SslVerifyMode::NONE);
        }
        Ok(())
    });
    Ok(connector)
}

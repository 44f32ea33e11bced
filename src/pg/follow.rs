//! Live updates: a connection of its own that `LISTEN`s on the `runsheet` channel. The payload is
//! empty (LISTEN has no privilege check), so a wake-up only says “something was appended”: the
//! owner re-queries what its role may see. Notifications sent while disconnected are lost, so a
//! reconnect is reported as a wake-up too, and callers also catch up once a second.
//!
//! Through PgBouncer in transaction pooling LISTEN does nothing: point the store at the server.

use super::error::SharedError;
use super::settings::{Settings, Transport};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The notification channel.
pub const CHANNEL: &str = "runsheet";

/// Why a [`Listener`] woke its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wake {
    /// Something was appended (to some run: re-query yours).
    Appended,
    /// The listening connection is (back) up: notifications may have been missed, catch up.
    Connected,
    /// The listening connection dropped; it is retried.
    Lost(String),
}

/// A listening connection.
pub struct Follower {
    settings: Arc<Settings>,
    tls: Option<postgres_openssl::MakeTlsConnector>,
    client: Option<Client>,
}

impl std::fmt::Debug for Follower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follower")
            .field("target", &self.settings.target())
            .field("connected", &self.client.is_some())
            .finish()
    }
}

impl Follower {
    /// A follower (not connected until [`Follower::connect`] or the first [`Follower::wait`]).
    pub fn new(settings: Arc<Settings>) -> Result<Follower, SharedError> {
        let tls = match settings.tls.transport {
            Transport::Plain => None,
            _ => Some(super::tls::connector(&settings.tls)?),
        };
        Ok(Follower {
            settings,
            tls,
            client: None,
        })
    }

    /// Whether the listening connection is up.
    pub fn is_connected(&self) -> bool {
        self.client.as_ref().is_some_and(|c| !c.is_closed())
    }

    /// Connects and listens (no-op when connected).
    pub fn connect(&mut self) -> Result<(), SharedError> {
        if self.is_connected() {
            return Ok(());
        }
        self.client = None;
        let config = super::connect::config(&self.settings);
        let r = match &self.tls {
            None => config.connect(NoTls),
            Some(t) => config.connect(t.clone()),
        };
        let mut client = r.map_err(|e| super::connect::map_error(&self.settings, &e))?;
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .map_err(|e| super::connect::map_error(&self.settings, &e))?;
        self.client = Some(client);
        Ok(())
    }

    /// Waits up to `timeout` for a notification. `Ok(true)`: something was appended (all queued
    /// notifications are consumed); `Ok(false)`: the time passed. An error means the connection
    /// dropped (the next call reconnects).
    pub fn wait(&mut self, timeout: Duration) -> Result<bool, SharedError> {
        self.connect()?;
        let settings = self.settings.clone();
        let Some(client) = self.client.as_mut() else {
            return Ok(false);
        };
        let mut notes = client.notifications();
        let first = notes.timeout_iter(timeout).next();
        let woke = match first {
            Ok(None) => false,
            Ok(Some(_)) => true,
            Err(e) => {
                drop(notes);
                self.client = None;
                return Err(super::connect::map_error(&settings, &e));
            }
        };
        if woke {
            while let Ok(Some(_)) = notes.iter().next() {}
        }
        drop(notes);
        if client.is_closed() {
            self.client = None;
            return Err(SharedError::Unreachable {
                target: settings.target(),
                message: "the listening connection closed".to_owned(),
            });
        }
        Ok(woke)
    }
}

/// A thread that listens and calls `wake` — for the TUI loop, which then catches up on its own
/// connection. Reconnects with a growing pause (up to 5 s) after a lost link.
#[derive(Debug)]
pub struct Listener {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Listener {
    /// Starts listening.
    pub fn spawn(
        settings: Arc<Settings>,
        wake: impl Fn(Wake) + Send + 'static,
    ) -> Result<Listener, SharedError> {
        let mut follower = Follower::new(settings)?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("runsheet-listen".to_owned())
            .spawn(move || {
                let mut pause = Duration::from_millis(200);
                let mut was_up = false;
                while !flag.load(Ordering::Relaxed) {
                    if !follower.is_connected() {
                        match follower.connect() {
                            Ok(()) => {
                                pause = Duration::from_millis(200);
                                was_up = true;
                                wake(Wake::Connected);
                            }
                            Err(e) => {
                                if was_up {
                                    wake(Wake::Lost(e.to_string()));
                                    was_up = false;
                                }
                                sleep_unless(&flag, pause);
                                pause = (pause * 2).min(Duration::from_secs(5));
                                continue;
                            }
                        }
                    }
                    match follower.wait(Duration::from_millis(500)) {
                        Ok(true) => wake(Wake::Appended),
                        Ok(false) => {}
                        Err(e) => {
                            wake(Wake::Lost(e.to_string()));
                            was_up = false;
                        }
                    }
                }
            })
            .map_err(|e| SharedError::Invalid(format!("starting the listener thread: {e}")))?;
        Ok(Listener {
            stop,
            handle: Some(handle),
        })
    }

    /// Stops the thread (within half a second).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn sleep_unless(flag: &AtomicBool, total: Duration) {
    let end = Instant::now() + total;
    while !flag.load(Ordering::Relaxed) && Instant::now() < end {
        std::thread::sleep(
            Duration::from_millis(50).min(end.saturating_duration_since(Instant::now())),
        );
    }
}

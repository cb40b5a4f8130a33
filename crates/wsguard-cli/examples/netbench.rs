//! Client of `scripts/netbench.py` (issue 17 items 3 and 5), run as its own process so
//! that its sockets and memory never count against the server it measures.
//!
//! ```text
//! netbench accept ADDR COUNT CONCURRENCY DEADLINE_SECS [SOURCES]
//! netbench idle   ADDR COUNT CONCURRENCY HOLD_SECS PING_SECS SERVER_PID [SOURCES]
//! ```
//!
//! * `accept`: COUNT connections, at most CONCURRENCY at a time: TCP connect, upgrade
//!   (latency = connect start → 101 validated), Close 1000, wait for the server's Close
//!   and its TCP close. Prints one JSON line: handshakes per second, p50/p99/max latency.
//! * `idle`: server VmRSS after a 20-connection warm-up ("at 0"), then COUNT idle
//!   connections held open, each sending a ping every PING_SECS (staggered) and answering
//!   the server's pings; VmRSS with all open ("at N"); then one extra active client echoes
//!   32-byte messages for HOLD_SECS (latency per echo) while the idle ones keep their
//!   heartbeats; then every connection closes with 1000. Prints one JSON line.
//!
//! SOURCES > 0 binds client sockets round-robin to 127.0.0.1 … 127.0.0.SOURCES (more
//! ephemeral ports than one address has). Every wait is bounded; the process stops by
//! itself. The upgrade and frames are wsguard-core's (`handshake::write_request` /
//! `validate_response`, then the sans-IO `connection::Connection`, client role, driven
//! by the load generator's `Client`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::net::TcpSocket;
use tokio::sync::{watch, Semaphore};
use tokio::time::{sleep, sleep_until, timeout};

// The upgrade and `rss_kib` are the load generator's (`scripts/load.sh`).
#[path = "load.rs"]
pub mod load;
use load::{rss_kib, Got};

type Res<T> = Result<T, String>;

type Ws = load::Client;

impl load::Client {
    /// Connects (from `source` when given), upgrades; returns the connection and the
    /// time from connect start to the validated 101.
    async fn open(addr: SocketAddr, source: Option<IpAddr>, id: usize) -> Res<(Ws, Duration)> {
        let t0 = Instant::now();
        let sock = TcpSocket::new_v4().map_err(|e| format!("socket: {e}"))?;
        if let Some(ip) = source {
            sock.bind(SocketAddr::new(ip, 0))
                .map_err(|e| format!("bind {ip}: {e}"))?;
        }
        let mut s = sock
            .connect(addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let _ = s.set_nodelay(true);
        let mut buf = vec![0u8; 4096];
        let (consumed, end) = load::upgrade(&mut s, addr, id, &mut buf).await?;
        let ws = Ws::upgraded(s, buf, consumed, end, id);
        Ok((ws, t0.elapsed()))
    }

    /// One read, then the decoded frames.
    async fn recv(&mut self) -> Res<Vec<Got>> {
        self.room()?;
        let n = self
            .s
            .read(&mut self.buf[self.end..])
            .await
            .map_err(|e| format!("read: {e}"))?;
        self.took(n).await
    }

    /// Close 1000, wait for the server's Close, then for its TCP close (bounded by caller).
    async fn close(mut self) -> Res<()> {
        self.start_close().await?;
        'close: loop {
            for g in self.recv().await? {
                if let Got::Closed(_) = g {
                    break 'close;
                }
            }
        }
        let mut sink = [0u8; 256];
        while self
            .s
            .read(&mut sink)
            .await
            .map_err(|e| format!("read: {e}"))?
            > 0
        {}
        Ok(())
    }
}

fn source(sources: usize, id: usize) -> Option<IpAddr> {
    (sources > 0).then(|| IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1 + (id % sources) as u8)))
}

/// p50, p99 and max of latencies, in ms.
fn quantiles(mut v: Vec<Duration>) -> serde_json::Value {
    v.sort();
    let at = |q: f64| {
        v.get(((v.len() as f64 * q) as usize).min(v.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1e3)
    };
    serde_json::json!({ "count": v.len(), "p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": v.last().map(|d| d.as_secs_f64() * 1e3) })
}

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    clean_closes: AtomicU64,
    pings_sent: AtomicU64,
    pongs: AtomicU64,
    server_pings: AtomicU64,
    errors: Mutex<Vec<String>>,
}

impl Tally {
    fn error(&self, id: usize, e: String) {
        self.errors.lock().unwrap().push(format!("conn {id}: {e}"));
    }
    fn json(&self) -> serde_json::Value {
        let errors = self.errors.lock().unwrap();
        serde_json::json!({
            "ok": self.ok.load(Relaxed), "clean_closes": self.clean_closes.load(Relaxed),
            "pings_sent": self.pings_sent.load(Relaxed), "pongs_received": self.pongs.load(Relaxed),
            "server_pings_answered": self.server_pings.load(Relaxed),
            "errors": errors.len(), "first_errors": errors.iter().take(5).collect::<Vec<_>>(),
        })
    }
}

pub async fn accept(
    addr: SocketAddr,
    n: usize,
    conc: usize,
    deadline: Duration,
    sources: usize,
) -> serde_json::Value {
    let tally = Arc::new(Tally::default());
    let lat = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let gate = Arc::new(Semaphore::new(conc.max(1)));
    let t0 = Instant::now();
    let end = tokio::time::Instant::now() + deadline;
    let mut tasks = Vec::with_capacity(n);
    for id in 0..n {
        let (tally, lat, gate) = (tally.clone(), lat.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let Ok(_permit) = gate.acquire_owned().await else {
                return;
            };
            let one = async {
                let (ws, took) = Ws::open(addr, source(sources, id), id).await?;
                lat.lock().unwrap().push(took);
                ws.close().await
            };
            match tokio::time::timeout_at(
                end.min(tokio::time::Instant::now() + Duration::from_secs(10)),
                one,
            )
            .await
            {
                Ok(Ok(())) => {
                    tally.ok.fetch_add(1, Relaxed);
                    tally.clean_closes.fetch_add(1, Relaxed);
                }
                Ok(Err(e)) => tally.error(id, e),
                Err(_) => tally.error(
                    id,
                    "timed out (10 s per connection, or the run's deadline)".into(),
                ),
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let secs = t0.elapsed().as_secs_f64();
    let mut out = tally.json();
    out["mode"] = "accept".into();
    out["requested"] = n.into();
    out["concurrency"] = conc.into();
    out["seconds"] = secs.into();
    out["handshakes_per_sec"] = (tally.ok.load(Relaxed) as f64 / secs).into();
    out["latency"] = quantiles(std::mem::take(&mut *lat.lock().unwrap()));
    out
}

/// One idle connection: ping every `period` from `first`, answer pings, until `stop`.
async fn hold(
    ws: &mut Ws,
    first: tokio::time::Instant,
    period: Duration,
    stop: &mut watch::Receiver<bool>,
    t: &Tally,
) -> Res<()> {
    let mut next = first;
    while !*stop.borrow() {
        ws.room()?;
        tokio::select! {
            _ = stop.changed() => {}
            _ = sleep_until(next) => {
                ws.send_ping(b"hb").await?;
                t.pings_sent.fetch_add(1, Relaxed);
                next += period;
            }
            r = ws.s.read(&mut ws.buf[ws.end..]) => {
                for g in ws.took(r.map_err(|e| format!("read: {e}"))?).await? {
                    match g {
                        Got::Ping => { t.server_pings.fetch_add(1, Relaxed); }
                        Got::Pong => { t.pongs.fetch_add(1, Relaxed); }
                        Got::Message(_) => return Err("unexpected message while idle".into()),
                        Got::Closed(_) => return Err("server sent Close while idle".into()),
                    }
                }
            }
        }
    }
    Ok(())
}

/// The active client: echoes 32-byte messages one at a time until `until`.
async fn echo(ws: &mut Ws, until: Instant, t: &Tally) -> Res<Vec<Duration>> {
    let mut lat = Vec::new();
    let mut k = 0u32;
    while Instant::now() < until {
        let payload: Vec<u8> = (0..32u32).map(|i| b'a' + ((i + k) % 26) as u8).collect();
        let t0 = Instant::now();
        ws.send_text(&payload).await?;
        'reply: loop {
            for g in ws.recv().await? {
                match g {
                    Got::Message(m) if m == payload => break 'reply,
                    Got::Message(_) => return Err("echo differs from the message".into()),
                    Got::Ping => {
                        t.server_pings.fetch_add(1, Relaxed);
                    }
                    Got::Pong => {}
                    Got::Closed(_) => return Err("server sent Close to the active client".into()),
                }
            }
        }
        lat.push(t0.elapsed());
        k += 1;
        sleep(Duration::from_millis(10)).await;
    }
    Ok(lat)
}

pub async fn idle(
    addr: SocketAddr,
    n: usize,
    conc: usize,
    hold_for: Duration,
    period: Duration,
    pid: u32,
    sources: usize,
) -> serde_json::Value {
    let tally = Arc::new(Tally::default());
    let mut warm_errors = Vec::new();
    for id in 0..20 {
        let r = async {
            Ws::open(addr, source(sources, id), id)
                .await?
                .0
                .close()
                .await
        };
        if let Err(e) = timeout(Duration::from_secs(10), r)
            .await
            .unwrap_or_else(|_| Err("timed out".into()))
        {
            warm_errors.push(e);
        }
    }
    sleep(Duration::from_secs(1)).await;
    let rss0 = rss_kib(pid);
    let (stop_tx, stop_rx) = watch::channel(false);
    let gate = Arc::new(Semaphore::new(conc.max(1)));
    let arrived = Arc::new(AtomicU64::new(0));
    let t_open = Instant::now();
    let base = tokio::time::Instant::now() + Duration::from_secs(1);
    let mut tasks = Vec::with_capacity(n);
    for id in 0..n {
        let (tally, gate, arrived, mut stop) = (
            tally.clone(),
            gate.clone(),
            arrived.clone(),
            stop_rx.clone(),
        );
        // Staggered: connection `id` pings first at base + id/n of a period.
        let first = base + period.mul_f64(id as f64 / n as f64);
        tasks.push(tokio::spawn(async move {
            let opened = {
                let _permit = gate.acquire().await;
                timeout(
                    Duration::from_secs(10),
                    Ws::open(addr, source(sources, id), id),
                )
                .await
            };
            arrived.fetch_add(1, Relaxed);
            let mut ws = match opened {
                Ok(Ok((ws, _))) => ws,
                Ok(Err(e)) => return tally.error(id, e),
                Err(_) => return tally.error(id, "upgrade timed out (10 s)".into()),
            };
            tally.ok.fetch_add(1, Relaxed);
            if let Err(e) = hold(&mut ws, first, period, &mut stop, &tally).await {
                return tally.error(id, format!("while idle: {e}"));
            }
            match timeout(Duration::from_secs(20), ws.close()).await {
                Ok(Ok(())) => {
                    tally.clean_closes.fetch_add(1, Relaxed);
                }
                Ok(Err(e)) => tally.error(id, format!("close: {e}")),
                Err(_) => tally.error(id, "close timed out (20 s)".into()),
            }
        }));
    }
    let open_deadline = Instant::now() + Duration::from_secs(300);
    while (arrived.load(Relaxed) as usize) < n && Instant::now() < open_deadline {
        sleep(Duration::from_millis(20)).await;
    }
    let open_secs = t_open.elapsed().as_secs_f64();
    sleep(Duration::from_secs(2)).await;
    let rss_n = rss_kib(pid);
    // The active client, while the idle ones keep their heartbeats; VmRSS sampled each second.
    let until = Instant::now() + hold_for;
    let sampler = tokio::spawn(async move {
        let mut max = rss_n;
        while Instant::now() < until {
            sleep(Duration::from_secs(1)).await;
            max = max.max(rss_kib(pid));
        }
        max
    });
    let active = async {
        let (mut ws, _) = Ws::open(addr, None, n).await?;
        let lat = echo(&mut ws, until, &tally).await?;
        ws.close().await?;
        Ok::<_, String>(lat)
    };
    let echo_result = timeout(hold_for + Duration::from_secs(30), active)
        .await
        .unwrap_or_else(|_| Err("timed out".into()));
    let rss_max = sampler.await.ok().flatten();
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = timeout(Duration::from_secs(60), t).await;
    }
    sleep(Duration::from_secs(1)).await;
    let rss_closed = rss_kib(pid);
    let held = tally.ok.load(Relaxed);
    let mut out = tally.json();
    out["mode"] = "idle".into();
    out["requested"] = n.into();
    out["held"] = held.into();
    out["open_seconds"] = open_secs.into();
    out["hold_seconds"] = hold_for.as_secs_f64().into();
    out["ping_seconds"] = period.as_secs_f64().into();
    out["warmup_errors"] = warm_errors.len().into();
    out["rss_kib"] = serde_json::json!({ "at_0": rss0, "at_n": rss_n, "max_while_holding": rss_max, "after_close": rss_closed });
    out["rss_per_connection_bytes"] = match (rss0, rss_n) {
        (Some(a), Some(b)) if held > 0 => ((b as f64 - a as f64) * 1024.0 / held as f64).into(),
        _ => serde_json::Value::Null,
    };
    out["echo"] = match echo_result {
        Ok(lat) => quantiles(lat),
        Err(e) => serde_json::json!({ "error": e }),
    };
    out
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let num = |i: usize, what: &str| -> f64 {
        a.get(i).and_then(|v| v.parse().ok()).unwrap_or_else(|| {
            eprintln!("netbench: {what} missing or not a number (see the header of crates/wsguard-cli/examples/netbench.rs)");
            std::process::exit(2)
        })
    };
    let addr: SocketAddr = a.get(2).and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        eprintln!("usage: netbench accept|idle ADDR …");
        std::process::exit(2)
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (n, conc) = (num(3, "COUNT") as usize, num(4, "CONCURRENCY") as usize);
    let out = match a[1].as_str() {
        "accept" => {
            let deadline = Duration::from_secs_f64(num(5, "DEADLINE_SECS"));
            let sources = a.get(6).and_then(|v| v.parse().ok()).unwrap_or(0);
            rt.block_on(accept(addr, n, conc, deadline, sources))
        }
        "idle" => {
            let (hold_for, period) = (
                Duration::from_secs_f64(num(5, "HOLD_SECS")),
                Duration::from_secs_f64(num(6, "PING_SECS")),
            );
            let pid = num(7, "SERVER_PID") as u32;
            let sources = a.get(8).and_then(|v| v.parse().ok()).unwrap_or(0);
            rt.block_on(idle(addr, n, conc, hold_for, period, pid, sources))
        }
        m => {
            eprintln!("netbench: unknown mode {m:?} (accept or idle)");
            std::process::exit(2)
        }
    };
    println!("{out}");
    let ok = out["errors"] == 0;
    rt.shutdown_timeout(Duration::from_secs(1));
    std::process::exit(if ok { 0 } else { 1 });
}

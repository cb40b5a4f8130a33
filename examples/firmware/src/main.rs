//! A WebSocket client task as it runs on a microcontroller (see README section
//! "Firmware" / docs/FIRMWARE.md). No heap, no std: buffers live on the task's stack,
//! time and randomness come from the board.
//!
//! ```text
//! loop {
//!     dial → connect (upgrade validated; a refusal is diagnosed: 403 Origin, 200 not a
//!            WebSocket server, proxy dropped the upgrade …)
//!     session: race ws.read() against the heartbeat deadline
//!              → pings when idle, peer declared dead after silence
//!     disconnect → Reconnect::on_disconnect → RetryAt / WaitForReauth / Stop
//! }
//! ```
#![no_std]
#![no_main]

mod clock;
mod modem;

use embassy_futures::select::{select, Either};
use wsguard_core::handshake::{ClientFailure, ClientRequest, Verdict};
use wsguard_core::heartbeat::{Heartbeat, HeartbeatConfig, Role};
use wsguard_core::io::{connect, ConnectError, Message, Options};
use wsguard_core::reconnect::{Decision, Disconnect, Reconnect, ReconnectConfig, TransportFailure};
use wsguard_core::Diagnostic;

use clock::{now, random_u32, Timer};
use modem::Modem;

const HOST: &str = "telemetry.example.com";
const PATH: &str = "/ws/device";
const SUBPROTOCOLS: &[&str] = &["telemetry.v1"];

/// Read buffer: the 101 answer (or an error page worth diagnosing), then the largest
/// message we want whole; bigger ones arrive as `Message::Piece`s.
const RX_LEN: usize = 1024;
/// Write buffer: the upgrade request, then frames are staged (masked) here.
const TX_LEN: usize = 512;

/// Where a real firmware logs (defmt::info!, RTT, UART). Kept as a no-op sink.
fn log(_event: &str, _detail: &str) {}

/// One connection, from the handshake to its end. Returns how it ended.
async fn session(
    modem: &mut Modem,
    rx: &mut [u8],
    tx: &mut [u8],
    rc: &mut Reconnect<'_>,
) -> Disconnect {
    let mut nonce = [0u8; 16];
    for chunk in nonce.chunks_mut(4) {
        chunk.copy_from_slice(&random_u32().to_le_bytes());
    }
    let request = ClientRequest::new(HOST, PATH, nonce).subprotocols(SUBPROTOCOLS);
    let seed = u64::from(random_u32()) << 32 | u64::from(random_u32());
    let options = Options::new(seed).with_max_message(64 * 1024);

    let mut ws = match connect(modem, rx, tx, &request, options).await {
        Ok(conn) => conn.socket,
        Err(e) => {
            // The stable code, the sentence and the fix, e.g. "origin_port: the Origin's
            // scheme and host are allowed, but not on this port" from a wsguard server —
            // exactly what a browser hides behind 1006.
            log(e.code(), e.reason());
            log("fix", e.remedy());
            if let ConnectError::Handshake(ClientFailure::Rejected(d)) = &e {
                log("server said", d.server_reason.unwrap_or(""));
                // One answer that cannot name the cause (a bare 403, a 404 through a
                // proxy …): the causes that remain and how to tell them apart.
                if let Some(Verdict::Undecided { causes, hint }) = d.verdict() {
                    for cause in causes.as_slice() {
                        log("possible cause", cause.code());
                    }
                    log("to tell them apart", hint);
                }
            }
            return e
                .disconnect()
                .unwrap_or(Disconnect::Transport(TransportFailure::Reset));
        }
    };
    rc.on_connected(now());
    let mut heartbeat = Heartbeat::new(HeartbeatConfig::DEFAULT.for_role(Role::Client), now());
    if let Err(e) = ws.send_text("{\"hello\":\"device-17\"}").await {
        return e.disconnect().unwrap_or(Disconnect::Close(1006));
    }

    loop {
        // Send a ping if one is due; learn when to look again (`None` once closing).
        let deadline = match ws.heartbeat(&mut heartbeat, now()).await {
            Ok(at) => at,
            Err(e) => {
                log(e.code(), e.reason()); // heartbeat_peer_silent …
                return e.disconnect().unwrap_or(Disconnect::Close(1006));
            }
        };
        // Wait for a message or the deadline, whichever comes first. `read` is
        // cancel-safe: when the timer wins, nothing is lost.
        let mut blink = false;
        match select(ws.read(), Timer::at(deadline)).await {
            Either::First(Ok(msg)) => {
                msg.update_heartbeat(&mut heartbeat, now());
                match msg {
                    Message::Text(cmd) => blink = cmd.contains("\"blink\""),
                    Message::Close(c) => {
                        log("server closed", c.reason);
                        return Disconnect::Close(c.reported_code());
                    }
                    _ => {}
                }
            }
            Either::First(Err(e)) => {
                log(e.code(), e.reason());
                return e.disconnect().unwrap_or(Disconnect::Close(1006));
            }
            Either::Second(()) => {} // the heartbeat is due
        }
        if blink {
            // toggle the LED here, then report
            if let Err(e) = ws.send_text("{\"led\":\"toggled\"}").await {
                return e.disconnect().unwrap_or(Disconnect::Close(1006));
            }
        }
    }
}

/// The task: connect, run, and reconnect as the policy decides.
async fn websocket_task() {
    let mut rx = [0u8; RX_LEN];
    let mut tx = [0u8; TX_LEN];
    let mut rc = Reconnect::new(ReconnectConfig::DEFAULT);
    loop {
        let mut modem = Modem::dial();
        let ended = session(&mut modem, &mut rx, &mut tx, &mut rc).await;
        match rc.on_disconnect(ended, now(), random_u32()) {
            Decision::RetryAt { at_ms, .. } => Timer::at(Some(at_ms)).await,
            Decision::WaitForReauth { cause } => {
                log(
                    "re-authenticate",
                    wsguard_core::reconnect::Decision::WaitForReauth { cause }.remedy(),
                );
                // fetch a new token, then:
                rc.reset();
            }
            Decision::Stop { .. } => return,
        }
    }
}

/// Reset handler. On a real board: `#[embassy_executor::main]` or `#[cortex_m_rt::entry]`.
#[no_mangle]
pub extern "C" fn _start() -> ! {
    embassy_futures::block_on(websocket_task());
    loop {
        core::hint::spin_loop();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}

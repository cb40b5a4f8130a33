//! An embassy firmware that keeps a WebSocket to its server (see docs/FIRMWARE.md):
//! embassy-executor, embassy-net (DHCP, TCP), embassy-time, and wsguard-core's split
//! API — a reader task and a writer task on one connection — with the heartbeat and the
//! reconnect policy from the core. `board.rs` holds the parts your board supplies.
#![no_std]
#![no_main]

mod board;

use embassy_executor::Spawner;
use embassy_net::tcp::TcpSocket;
use embassy_net::{IpEndpoint, Ipv4Address, Runner, Stack, StackResources};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_time::{Duration, Timer};
use static_cell::StaticCell;
use wsguard_core::io::{Duplex, Message};
use wsguard_core::reconnect::{Disconnect, Reconnect, ReconnectConfig, TransportFailure};
use wsguard_embassy_example::{
    reading, retry_after, session, Endpoint, Outbox, Outgoing, RX_LEN, TX_LEN,
};

use board::{random_u32, StubNic};

/// The server (a real firmware resolves it with `stack.dns_query`).
const SERVER: IpEndpoint = IpEndpoint::new(
    embassy_net::IpAddress::Ipv4(Ipv4Address::new(192, 0, 2, 10)),
    8080,
);
const ENDPOINT: Endpoint<'static> = Endpoint {
    host: "telemetry.example.com",
    path: "/ws/device",
    subprotocols: &["telemetry.v1"],
    origin: None,
};

/// What the sensor task and others hand to the writer task.
static OUTBOX: Outbox<CriticalSectionRawMutex> = Outbox::new();

/// Where a real firmware logs (defmt::info!, RTT, UART); a no-op sink here.
fn log(_code: &str, _detail: &str) {}

#[embassy_executor::task]
async fn net_task(mut runner: Runner<'static, StubNic>) -> ! {
    runner.run().await
}

/// Another task of the firmware: a reading every 10 s, whatever the connection does.
#[embassy_executor::task]
async fn sensor_task() -> ! {
    let mut seq = 0u32;
    loop {
        Timer::after(Duration::from_secs(10)).await;
        seq = seq.wrapping_add(1);
        let temp = 215 + (random_u32() % 20) as i32; // read the sensor here
                                                     // Full queue (connection down): drop the reading rather than block the sensor.
        let _ = OUTBOX.try_send(Outgoing::Text(reading(seq, temp)));
    }
}

/// The connection task: TCP, then one WebSocket session split into the reader task and
/// the writer task, then the reconnect policy's decision — forever.
#[embassy_executor::task]
async fn websocket_task(stack: Stack<'static>) {
    let mut tcp_rx = [0u8; 1536];
    let mut tcp_tx = [0u8; 1536];
    let mut rx = [0u8; RX_LEN];
    let mut tx = [0u8; TX_LEN];
    let mut rc = Reconnect::new(ReconnectConfig::DEFAULT);
    loop {
        stack.wait_config_up().await;
        let mut socket = TcpSocket::new(stack, &mut tcp_rx, &mut tcp_tx);
        socket.set_timeout(Some(Duration::from_secs(30)));
        let ended = match socket.connect(SERVER).await {
            Ok(()) => {
                let (reader, writer) = socket.split();
                session(
                    Duplex { reader, writer },
                    &mut rx,
                    &mut tx,
                    ENDPOINT,
                    &mut rc,
                    &OUTBOX,
                    random_u32,
                    log,
                    |message| {
                        if let Message::Text(command) = message {
                            if command.contains("\"blink\"") {
                                // toggle the LED here
                            }
                        }
                    },
                )
                .await
            }
            Err(_) => Disconnect::Transport(TransportFailure::Refused),
        };
        socket.abort();
        let _ = socket.flush().await;
        drop(socket);
        let refresh_token = async || {}; // fetch a new token from your provisioning service
        if !retry_after(&mut rc, ended, random_u32(), refresh_token, log).await {
            return; // 1000, or a configuration error: retrying would not help
        }
    }
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let core = cortex_m::Peripherals::take();
    if let Some(core) = core {
        board::start_systick(core.SYST, 64_000_000);
    }
    static RESOURCES: StaticCell<StackResources<2>> = StaticCell::new();
    let seed = (u64::from(random_u32()) << 32) | u64::from(random_u32());
    let (stack, runner) = embassy_net::new(
        StubNic::new(),
        embassy_net::Config::dhcpv4(Default::default()),
        RESOURCES.init(StackResources::new()),
        seed,
    );
    // Each task is spawned once into its own pool of one: spawning cannot fail.
    if let Ok(t) = net_task(runner) {
        spawner.spawn(t);
    }
    if let Ok(t) = sensor_task() {
        spawner.spawn(t);
    }
    if let Ok(t) = websocket_task(stack) {
        spawner.spawn(t);
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        cortex_m::asm::wfi();
    }
}

//! **The board's part.** A real firmware takes these from its HAL and BSP — the
//! Ethernet/Wi-Fi driver from `embassy-stm32` (`eth::Ethernet`), `cyw43`, `esp-wifi` …,
//! the time driver from the HAL's timer or RTC, the RNG from the TRNG peripheral. Here
//! they are minimal stand-ins so that the example builds for any Cortex-M4F without a
//! chip crate:
//!
//! * [`StubNic`] — an `embassy_net_driver::Driver` over one receive and one transmit
//!   buffer, fed by nothing (replace it with your NIC driver);
//! * the time driver — a SysTick counter at 1 kHz whose `schedule_wake` wakes at once
//!   (correct but busy: a real driver arms a compare interrupt);
//! * [`random_u32`] — xorshift32 (use the TRNG: the masking keys and the handshake
//!   nonce must not be predictable, RFC 6455 §10.3).

use core::sync::atomic::{AtomicU32, Ordering};
use core::task::{Context, Waker};

use cortex_m_rt::exception;
use embassy_net_driver::{Capabilities, Driver, HardwareAddress, LinkState, RxToken, TxToken};

/// Stand-in for the board's NIC driver: one receive and one transmit buffer, as a DMA
/// driver has. The MAC's interrupt would copy a frame into `rx` and store its length in
/// [`RX_PENDING`]; transmitted frames would go to the MAC. Nothing does here, so no frame
/// ever arrives — but the whole embassy-net/smoltcp receive and transmit path is linked,
/// as it is on a real board.
pub struct StubNic {
    rx: [u8; MTU],
    tx: [u8; MTU],
}

/// Ethernet MTU including the 14-byte header.
const MTU: usize = 1514;

/// Length of the frame waiting in the receive buffer (set by the MAC's interrupt).
pub static RX_PENDING: AtomicU32 = AtomicU32::new(0);

impl StubNic {
    /// The interface, with empty buffers.
    pub const fn new() -> Self {
        StubNic {
            rx: [0; MTU],
            tx: [0; MTU],
        }
    }
}

/// A token lending one of the buffers.
pub struct Frame<'a>(&'a mut [u8]);

impl RxToken for Frame<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, f: F) -> R {
        f(self.0)
    }
}
impl TxToken for Frame<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let n = len.min(self.0.len());
        // The frame is in the buffer; a real driver starts the MAC's DMA here.
        f(&mut self.0[..n])
    }
}

impl Driver for StubNic {
    type RxToken<'a> = Frame<'a>;
    type TxToken<'a> = Frame<'a>;
    fn receive(&mut self, cx: &mut Context) -> Option<(Frame<'_>, Frame<'_>)> {
        let n = RX_PENDING.swap(0, Ordering::Acquire) as usize;
        if n == 0 {
            // A real driver keeps the waker for the MAC's receive interrupt.
            cx.waker().wake_by_ref();
            return None;
        }
        let StubNic { rx, tx } = self;
        Some((Frame(&mut rx[..n.min(MTU)]), Frame(tx)))
    }
    fn transmit(&mut self, _cx: &mut Context) -> Option<Frame<'_>> {
        Some(Frame(&mut self.tx))
    }
    fn link_state(&mut self, _cx: &mut Context) -> LinkState {
        LinkState::Up
    }
    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::default();
        caps.max_transmission_unit = MTU;
        caps
    }
    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ethernet([0x02, 0x00, 0x00, 0x00, 0x00, 0x17])
    }
}

/// Milliseconds since boot, advanced by the SysTick exception.
static TICKS: AtomicU32 = AtomicU32::new(0);

#[exception]
fn SysTick() {
    TICKS.fetch_add(1, Ordering::Relaxed);
}

/// Starts SysTick at 1 kHz from a `core_hz` clock.
pub fn start_systick(mut syst: cortex_m::peripheral::SYST, core_hz: u32) {
    syst.set_clock_source(cortex_m::peripheral::syst::SystClkSource::Core);
    syst.set_reload(core_hz / 1_000 - 1);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

struct SysTickDriver;

impl embassy_time_driver::Driver for SysTickDriver {
    fn now(&self) -> u64 {
        u64::from(TICKS.load(Ordering::Relaxed))
    }
    fn schedule_wake(&self, _at: u64, waker: &Waker) {
        waker.wake_by_ref();
    }
}

embassy_time_driver::time_driver_impl!(static DRIVER: SysTickDriver = SysTickDriver);

/// Stand-in for the TRNG.
pub fn random_u32() -> u32 {
    static STATE: AtomicU32 = AtomicU32::new(0x9E37_79B9);
    let mut x = STATE.load(Ordering::Relaxed);
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    STATE.store(x, Ordering::Relaxed);
    x
}

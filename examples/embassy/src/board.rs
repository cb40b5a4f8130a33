//! **The board's part.** A real firmware takes these from its HAL and BSP — the
//! Ethernet/Wi-Fi driver from `embassy-stm32` (`eth::Ethernet`), `cyw43`, `esp-wifi` …,
//! the time driver from the HAL's timer or RTC, the RNG from the TRNG peripheral. Here
//! they are minimal stand-ins so that the example builds for any Cortex-M4F without a
//! chip crate:
//!
//! * [`NoNic`] — an `embassy_net_driver::Driver` with the link down: nothing is sent or
//!   received (replace it with your NIC driver);
//! * the time driver — a SysTick counter at 1 kHz whose `schedule_wake` wakes at once
//!   (correct but busy: a real driver arms a compare interrupt);
//! * [`random_u32`] — xorshift32 (use the TRNG: the masking keys and the handshake
//!   nonce must not be predictable, RFC 6455 §10.3).

use core::sync::atomic::{AtomicU32, Ordering};
use core::task::{Context, Waker};

use cortex_m_rt::exception;
use embassy_net_driver::{Capabilities, Driver, HardwareAddress, LinkState, RxToken, TxToken};

/// A network interface with no link (stand-in for the board's NIC driver).
pub struct NoNic;

/// Never produced: the stand-in receives and sends nothing.
pub enum Never {}

impl RxToken for Never {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, _f: F) -> R {
        match self {}
    }
}
impl TxToken for Never {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, _len: usize, _f: F) -> R {
        match self {}
    }
}

impl Driver for NoNic {
    type RxToken<'a> = Never;
    type TxToken<'a> = Never;
    fn receive(&mut self, _cx: &mut Context) -> Option<(Never, Never)> {
        None
    }
    fn transmit(&mut self, _cx: &mut Context) -> Option<Never> {
        None
    }
    fn link_state(&mut self, _cx: &mut Context) -> LinkState {
        LinkState::Down
    }
    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::default();
        caps.max_transmission_unit = 1514;
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

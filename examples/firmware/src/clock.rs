//! Time for the state machines. On a real board this is `embassy_time::Instant::now()`
//! and `Timer::at`; here a counter that a SysTick interrupt would advance (each call
//! advances it by 1 ms so that the busy-polling executor makes progress).

use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicU32, Ordering};
use core::task::{Context, Poll};

static MILLIS: AtomicU32 = AtomicU32::new(0);

/// Monotonic milliseconds since boot.
pub fn now() -> u64 {
    u64::from(MILLIS.fetch_add(1, Ordering::Relaxed))
}

/// Resolves once `now() >= deadline` (what `embassy_time::Timer::at` does); `None`
/// never resolves (nothing to wait for).
pub struct Timer {
    deadline: Option<u64>,
}

impl Timer {
    pub fn at(deadline: Option<u64>) -> Self {
        Timer { deadline }
    }
}

impl Future for Timer {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.deadline {
            Some(at) if now() >= at => Poll::Ready(()),
            Some(_) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            None => Poll::Pending,
        }
    }
}

/// A hardware RNG stand-in (xorshift32); use the MCU's TRNG on a real board.
pub fn random_u32() -> u32 {
    static STATE: AtomicU32 = AtomicU32::new(0x9E37_79B9);
    let mut x = STATE.load(Ordering::Relaxed);
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    STATE.store(x, Ordering::Relaxed);
    x
}

//! Progress for operations that take time: a spinner on stderr when it is a terminal,
//! silent otherwise (pipes, CI logs, `--json`).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running spinner; stops and clears its line when finished or dropped.
pub struct Spinner {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Spinner {
    /// Starts a spinner with `message` if stderr is a terminal and `enabled` is true.
    pub fn start(message: &str, enabled: bool) -> Spinner {
        let stop = Arc::new(AtomicBool::new(false));
        if !enabled || !std::io::stderr().is_terminal() {
            return Spinner { stop, handle: None };
        }
        let flag = stop.clone();
        let message = message.to_string();
        let handle = std::thread::spawn(move || {
            const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
            let started = Instant::now();
            let mut i = 0usize;
            // Bounded: at most 10 minutes of spinning even if nobody stops it.
            while !flag.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(600) {
                let secs = started.elapsed().as_secs_f32();
                let mut err = std::io::stderr().lock();
                let _ = write!(
                    err,
                    "\r\x1b[2K{} {message} \x1b[2m{secs:.1}s\x1b[0m",
                    FRAMES[i % FRAMES.len()]
                );
                let _ = err.flush();
                drop(err);
                i += 1;
                std::thread::sleep(Duration::from_millis(80));
            }
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        });
        Spinner {
            stop,
            handle: Some(handle),
        }
    }

    /// Stops the spinner and clears its line.
    pub fn finish(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop_now();
    }
}

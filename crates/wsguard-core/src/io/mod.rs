//! Async client and server drivers over `embedded_io_async` (in progress).

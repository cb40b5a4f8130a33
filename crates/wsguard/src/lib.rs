//! std adapter (in progress)

//! Python bindings (in progress)

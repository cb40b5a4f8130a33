//! The common face of every rejection: a stable code, a sentence and a remedy.

/// Implemented by every error and denial type in wsguard.
///
/// The three strings are `'static` so they can cross the C ABI and be logged on a
/// microcontroller without formatting.
///
/// ```
/// use wsguard_core::Diagnostic;
/// use wsguard_core::close::classify;
/// // Types implementing Diagnostic expose code/reason/remedy:
/// fn show(d: &dyn Diagnostic) -> (&'static str, &'static str) { (d.code(), d.reason()) }
/// # let _ = show;
/// # let _ = classify(1000);
/// ```
pub trait Diagnostic {
    /// Stable machine code in `snake_case`, e.g. `"origin_not_allowed"`. Never changes
    /// meaning once released; safe to match on in any language.
    fn code(&self) -> &'static str;
    /// One sentence a person understands, saying what went wrong.
    fn reason(&self) -> &'static str;
    /// What to change so that it works.
    fn remedy(&self) -> &'static str;
}

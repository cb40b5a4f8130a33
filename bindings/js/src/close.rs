//! Close codes: the core's classification, the application registry, close payloads.

use wasm_bindgen::prelude::*;
use wsguard_core::close::{
    self as core_close, AppCode, CloseInfo, CloseRegistry, Retry, CONVENTIONS,
};

use crate::Fault;

/// Everything the core knows about one close code.
#[wasm_bindgen(getter_with_clone)]
#[derive(Debug, Clone)]
pub struct CloseCodeInfo {
    /// The code.
    pub code: u16,
    /// Registered (or application) name, `undefined` when nobody registered it.
    pub name: Option<String>,
    /// Category code, e.g. `policy_auth`.
    pub category: String,
    /// May it appear in a Close frame?
    #[wasm_bindgen(js_name = wireValid)]
    pub wire_valid: bool,
    /// Who usually sends it (`server`, `either`, `local_only` …).
    pub sender: String,
    /// One sentence for users.
    pub description: String,
    /// What to do about it.
    pub remedy: String,
    /// Retry advice: `never`, `after_reauth`, `soon`, `with_backoff`, `after_delay`.
    pub retry: String,
    /// Likely causes, each `"cause — fix"`, most likely first.
    pub causes: Vec<String>,
    /// `true` when the entry comes from the application registry.
    #[wasm_bindgen(js_name = appDefined)]
    pub app_defined: bool,
}

impl From<CloseInfo> for CloseCodeInfo {
    fn from(i: CloseInfo) -> Self {
        CloseCodeInfo {
            code: i.code,
            name: i.name().map(Into::into),
            category: i.category().code().into(),
            wire_valid: i.wire_valid(),
            sender: i.sender().code().into(),
            description: i.description().into(),
            remedy: i.remedy().into(),
            retry: i.retry().code().into(),
            causes: i
                .causes()
                .iter()
                .map(|c| format!("{} — {}", c.what, c.fix))
                .collect(),
            app_defined: i.is_app_defined(),
        }
    }
}

/// An application close-code registry (4000–4999, 3000–3999), checked by the core.
/// Entries are kept for the life of the page: build it once at start-up.
///
/// ```
/// let mut r = wsguard_js::Registry::conventions();
/// r.add(4100, "room_full", "the room is full", "try another room", "never").unwrap();
/// assert_eq!(r.classify(4100).name.as_deref(), Some("room_full"));
/// ```
#[wasm_bindgen]
#[derive(Debug, Clone, Copy)]
pub struct Registry {
    inner: CloseRegistry<'static>,
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn retry_of(code: &str) -> Option<Retry> {
    [
        Retry::Never,
        Retry::AfterReauth,
        Retry::Soon,
        Retry::WithBackoff,
        Retry::AfterDelay,
    ]
    .into_iter()
    .find(|r| r.code() == code)
}

fn invalid(code: &str, what: &str) -> Fault {
    Fault {
        code: code.into(),
        reason: format!("unknown {what}"),
        remedy: "use one of the codes listed in the type definitions".into(),
    }
}

#[wasm_bindgen]
impl Registry {
    /// The core's conventions (4401 unauthorized, 4403 forbidden, 4429 …).
    pub fn conventions() -> Registry {
        Registry { inner: CONVENTIONS }
    }
    /// No application codes: the RFC/IANA table only.
    pub fn empty() -> Registry {
        Registry {
            inner: CloseRegistry::EMPTY,
        }
    }
    /// Registers `code`; the core refuses reserved ranges and duplicates. `retry` is the
    /// core's code (`never`, `after_reauth`, `soon`, `with_backoff`, `after_delay`).
    pub fn add(
        &mut self,
        code: u16,
        name: &str,
        description: &str,
        remedy: &str,
        retry: &str,
    ) -> Result<(), Fault> {
        let retry =
            retry_of(retry).ok_or_else(|| invalid("registry_unknown_retry", "retry advice"))?;
        let entry = AppCode::new(code, leak(name), leak(description), leak(remedy), retry);
        let mut entries = self.inner.entries().to_vec();
        entries.push(entry);
        let entries: &'static [AppCode] = Box::leak(entries.into_boxed_slice());
        self.inner = CloseRegistry::new(entries).map_err(|e| Fault::of(&e))?;
        Ok(())
    }
    /// Classifies `code` (0–65535) with this registry, then the core's table.
    pub fn classify(&self, code: u16) -> CloseCodeInfo {
        self.inner.classify(code).into()
    }
}

impl Registry {
    pub(crate) fn core(&self) -> CloseRegistry<'static> {
        self.inner
    }
}

/// Classifies `code` (0–65535) with the conventions registry.
///
/// ```
/// let i = wsguard_js::classify_close(1006);
/// assert_eq!((i.retry.as_str(), i.wire_valid), ("with_backoff", false));
/// ```
#[wasm_bindgen(js_name = classifyClose)]
pub fn classify_close(code: u16) -> CloseCodeInfo {
    CONVENTIONS.classify(code).into()
}

/// A parsed Close frame body.
#[wasm_bindgen(getter_with_clone)]
#[derive(Debug, Clone)]
pub struct ClosePayload {
    /// The code, `undefined` for an empty body (reported as 1005).
    pub code: Option<u16>,
    /// The UTF-8 reason.
    pub reason: String,
}

/// Parses a Close frame body; a refusal carries the code to close with in `sendClose`.
///
/// ```
/// let p = wsguard_js::parse_close_payload(&[0x03, 0xe8, b'o', b'k']).unwrap();
/// assert_eq!((p.code, p.reason.as_str()), (Some(1000), "ok"));
/// ```
#[wasm_bindgen(js_name = parseClosePayload)]
pub fn parse_close_payload(payload: &[u8]) -> Result<ClosePayload, CloseFault> {
    core_close::parse_payload(payload)
        .map(|p| ClosePayload {
            code: p.code,
            reason: p.reason.into(),
        })
        .map_err(|e| CloseFault {
            fault: Fault::of(&e),
            send_close: e.close_code(),
        })
}

/// A refused close payload: the fault and the close code to answer with.
#[wasm_bindgen(getter_with_clone)]
#[derive(Debug, Clone)]
pub struct CloseFault {
    /// The refusal.
    pub fault: Fault,
    /// The close code to send back.
    #[wasm_bindgen(js_name = sendClose)]
    pub send_close: u16,
}

/// Writes a Close frame body for `code` and `reason` into at most `max_size` bytes.
///
/// ```
/// assert_eq!(wsguard_js::encode_close_payload(1000, "ok", 8).unwrap(), vec![0x03, 0xe8, b'o', b'k']);
/// ```
#[wasm_bindgen(js_name = encodeClosePayload)]
pub fn encode_close_payload(code: u16, reason: &str, max_size: usize) -> Result<Vec<u8>, Fault> {
    let mut out = vec![0u8; max_size.min(1 << 16)];
    let n = core_close::write_close_payload(code, reason, &mut out).map_err(|e| Fault::of(&e))?;
    out.truncate(n);
    Ok(out)
}

/// The close code a browser reports for a connection that failed or dropped without a
/// closing handshake (the core's `ABNORMAL_CLOSURE`).
///
/// ```
/// assert_eq!(wsguard_js::abnormal_closure(), 1006);
/// ```
#[wasm_bindgen(js_name = abnormalClosure)]
pub fn abnormal_closure() -> u16 {
    wsguard_core::close::ABNORMAL_CLOSURE
}

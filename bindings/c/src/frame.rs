//! Frames: in-place unmasking, the streaming decoder and the encoder.
//!
//! The decoder is an opaque `wsguard_decoder` living in caller storage
//! (`wsguard_decoder_init`, no malloc) or on the heap (`wsguard_decoder_new` /
//! `wsguard_decoder_free`). Events borrow the caller's buffer: their `payload` pointer is
//! valid until the caller changes or reuses that buffer.

use crate::ffi::{bytes, bytes_mut, non_null, text, write_opt, wsguard_rejection};
use crate::handle::{self, Handle};
use crate::result::{guard, guard_value, wsguard_result};
use wsguard_core::frame::{
    self, encoder, CloseState, Decoded, Decoder, DecoderConfig, Event, MessageKind, Opcode, Role,
};
use wsguard_core::BufferTooSmall;

/// Which end of the connection this code runs on (decides the masking rules).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsguard_role {
    /// Accepted the connection: receives masked frames, sends unmasked ones.
    Server = 1,
    /// Opened the connection: receives unmasked frames, sends masked ones.
    Client = 2,
}

/// Decoder settings. Fill it with `wsguard_decoder_config_default()`, then change fields.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_decoder_config {
    /// Our role (`WSGUARD_ROLE_SERVER` or `WSGUARD_ROLE_CLIENT`).
    pub role: u32,
    /// Largest payload of one frame in bytes (default 16 MiB); larger gives close code 1009.
    pub max_frame: u64,
    /// Largest payload of one message in bytes (default 64 MiB).
    pub max_message: u64,
    /// Refuse non-minimal length encodings (default true).
    pub strict_length: bool,
    /// RSV bits a negotiated extension allows (0x40 = RSV1 …; default 0).
    pub allowed_rsv: u8,
    /// Reserved opcodes allowed by an extension: bit n allows opcode n (default 0).
    pub allowed_opcodes: u16,
    /// Accept text messages (default true; false answers them with 1003).
    pub accept_text: bool,
    /// Accept binary messages (default true; false answers them with 1003).
    pub accept_binary: bool,
}

pub(crate) fn role_of(r: u32) -> Result<Role, wsguard_result> {
    match r {
        1 => Ok(Role::Server),
        2 => Ok(Role::Client),
        _ => Err(wsguard_result::InvalidArgument),
    }
}

pub(crate) fn config_to_c(c: DecoderConfig) -> wsguard_decoder_config {
    wsguard_decoder_config {
        role: match c.role {
            Role::Server => wsguard_role::Server as u32,
            Role::Client => wsguard_role::Client as u32,
        },
        max_frame: c.max_frame,
        max_message: c.max_message,
        strict_length: c.strict_length,
        allowed_rsv: c.allowed_rsv,
        allowed_opcodes: c.allowed_opcodes,
        accept_text: c.accept_text,
        accept_binary: c.accept_binary,
    }
}

pub(crate) fn config_from_c(c: &wsguard_decoder_config) -> Result<DecoderConfig, wsguard_result> {
    let mut cfg = DecoderConfig::new(role_of(c.role)?)
        .with_max_frame(c.max_frame)
        .with_max_message(c.max_message)
        .with_allowed_rsv(c.allowed_rsv)
        .with_allowed_opcodes(c.allowed_opcodes)
        .with_accepted(c.accept_text, c.accept_binary);
    if !c.strict_length {
        cfg = cfg.lenient_length();
    }
    Ok(cfg)
}

/// Fills `*config_out` with the defaults for `role` (a `wsguard_role` value).
///
/// Fails with `WSGUARD_RESULT_INVALID_ARGUMENT` for an unknown role and
/// `WSGUARD_RESULT_NULL_ARGUMENT` for a NULL output; nothing is written on failure.
///
/// # Safety
/// `config_out` is NULL or points to a writable `wsguard_decoder_config`.
#[no_mangle]
pub unsafe extern "C" fn wsguard_decoder_config_default(
    role: u32,
    config_out: *mut wsguard_decoder_config,
) -> wsguard_result {
    guard(|| {
        non_null(config_out)?;
        let c = config_to_c(DecoderConfig::new(role_of(role)?));
        unsafe { config_out.write(c) };
        Ok(())
    })
}

/// A streaming frame decoder for one connection (opaque). Create it with
/// `wsguard_decoder_init` (caller storage) or `wsguard_decoder_new` (heap).
#[allow(non_camel_case_types)]
pub struct wsguard_decoder {
    h: Handle<Decoder>,
}

/// Longest payload a frame header can announce (2^63 − 1 bytes, RFC 6455 §5.2).
pub const WSGUARD_FRAME_MAX_PAYLOAD_LEN: u64 = 9_223_372_036_854_775_807;
const _: () = assert!(WSGUARD_FRAME_MAX_PAYLOAD_LEN == encoder::MAX_PAYLOAD_LEN);

/// Bytes of caller storage a decoder needs (`wsguard_decoder_init`).
pub const WSGUARD_DECODER_STORAGE_SIZE: usize = 128;
/// Alignment (in bytes) the decoder storage must have.
pub const WSGUARD_DECODER_STORAGE_ALIGN: usize = 8;
const _: () = assert!(core::mem::size_of::<wsguard_decoder>() <= WSGUARD_DECODER_STORAGE_SIZE);
const _: () = assert!(core::mem::align_of::<wsguard_decoder>() <= WSGUARD_DECODER_STORAGE_ALIGN);

impl handle::Wrapped for wsguard_decoder {
    type Inner = Decoder;
    const STORAGE_SIZE: usize = WSGUARD_DECODER_STORAGE_SIZE;
    fn handle(&self) -> &Handle<Decoder> {
        &self.h
    }
    fn handle_mut(&mut self) -> &mut Handle<Decoder> {
        &mut self.h
    }
    fn wrap(h: Handle<Decoder>) -> Self {
        wsguard_decoder { h }
    }
}

/// Creates a decoder inside caller storage (no heap): `storage` must hold
/// `WSGUARD_DECODER_STORAGE_SIZE` bytes aligned to `WSGUARD_DECODER_STORAGE_ALIGN`
/// (`WSGUARD_RESULT_INVALID_STORAGE` otherwise). `config` NULL means server defaults.
///
/// On success `*decoder_out` points into `storage` (same address); the storage must stay
/// valid and unmoved while the decoder is used. Releasing it needs nothing (calling
/// `wsguard_decoder_free` on it is allowed and only marks it dead). Nothing is written
/// on failure.
///
/// # Safety
/// `storage` points to `storage_len` writable bytes; `config` is NULL or valid;
/// `decoder_out` points to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn wsguard_decoder_init(
    storage: *mut core::ffi::c_void,
    storage_len: usize,
    config: *const wsguard_decoder_config,
    decoder_out: *mut *mut wsguard_decoder,
) -> wsguard_result {
    guard(|| {
        non_null(decoder_out)?;
        let cfg = unsafe { config_or_default(config)? };
        let p =
            unsafe { handle::init_in::<wsguard_decoder>(storage, storage_len, Decoder::new(cfg))? };
        unsafe { decoder_out.write(p) };
        Ok(())
    })
}

unsafe fn config_or_default(
    config: *const wsguard_decoder_config,
) -> Result<DecoderConfig, wsguard_result> {
    if config.is_null() {
        Ok(DecoderConfig::server())
    } else {
        config_from_c(unsafe { &*config })
    }
}

/// Creates a decoder on the heap; release it with `wsguard_decoder_free`.
/// `config` NULL means server defaults. Nothing is written on failure.
///
/// # Safety
/// `config` is NULL or valid; `decoder_out` points to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn wsguard_decoder_new(
    config: *const wsguard_decoder_config,
    decoder_out: *mut *mut wsguard_decoder,
) -> wsguard_result {
    guard(|| {
        non_null(decoder_out)?;
        let cfg = unsafe { config_or_default(config)? };
        let p = handle::new_boxed::<wsguard_decoder>(Decoder::new(cfg));
        unsafe { decoder_out.write(p) };
        Ok(())
    })
}

/// Releases a decoder: frees it when it came from `wsguard_decoder_new`, only marks it
/// dead when it lives in caller storage. NULL is ignored. Using a heap handle after
/// this call is undefined behaviour (see `WSGUARD_RESULT_INVALID_HANDLE`).
///
/// # Safety
/// `decoder` is NULL or a live decoder from `_new`/`_init`, freed at most once.
#[no_mangle]
pub unsafe extern "C" fn wsguard_decoder_free(decoder: *mut wsguard_decoder) {
    guard_value((), || unsafe { handle::free(decoder) })
}

/// What `wsguard_decoder_decode` found (`wsguard_frame_event.kind`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsguard_event_kind {
    /// Streaming only: the header of a data frame whose payload follows in DATA events
    /// (`opcode`, `fin_of_frame` = FIN bit, `rsv`, `frame_len` are set).
    Header = 1,
    /// Payload of a data message (the whole frame, or a chunk when streaming).
    Data = 2,
    /// A ping: answer with a pong carrying the same payload.
    Ping = 3,
    /// A pong.
    Pong = 4,
    /// The peer's Close, validated (`close_code`, `has_close_code`; `payload` is the reason).
    /// Reply with `wsguard_frame_write_close` (same code) unless you sent a Close already.
    Close = 5,
    /// A reserved control opcode allowed by the config (`opcode` is set).
    Control = 6,
}

/// One decoded event. `payload` points INTO the buffer passed to the decode call (already
/// unmasked in place): it is valid until you change or reuse that buffer, never free it.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_frame_event {
    /// What was found.
    pub kind: wsguard_event_kind,
    /// The opcode on the wire (1 text, 2 binary, 8 close, 9 ping, 10 pong, 0 for a
    /// continuation's data: see `message_opcode`).
    pub opcode: u8,
    /// For DATA: the message type as an opcode (1 text, 2 binary, 3–7 reserved).
    pub message_opcode: u8,
    /// For HEADER: the RSV bits of the first byte (0x70 mask).
    pub rsv: u8,
    /// For DATA: last bytes of this frame. For HEADER: the FIN bit.
    pub fin_of_frame: bool,
    /// For DATA: last bytes of the message (text is then fully validated as UTF-8).
    pub fin_of_message: bool,
    /// For CLOSE: the payload held a code (false: empty Close, reported as 1005).
    pub has_close_code: bool,
    /// For CLOSE: the code (1005 when `has_close_code` is false).
    pub close_code: u16,
    /// For HEADER: the frame's payload length.
    pub frame_len: u64,
    /// The payload bytes (CLOSE: the UTF-8 reason); never NULL, may be empty.
    pub payload: *const u8,
    /// Length of `payload`.
    pub payload_len: usize,
}

/// The wire opcode of a message type (the core's numbering).
pub(crate) fn message_opcode(k: MessageKind) -> u8 {
    match k {
        MessageKind::Text => Opcode::Text.as_u8(),
        MessageKind::Binary => Opcode::Binary.as_u8(),
        MessageKind::Reserved(n) => Opcode::Reserved(n).as_u8(),
    }
}

/// The message type of a data opcode (text, binary or a reserved data opcode 3-7);
/// anything else is `WSGUARD_RESULT_INVALID_ARGUMENT`.
pub(crate) fn message_kind_of(opcode: u8) -> Result<MessageKind, wsguard_result> {
    match Opcode::from_u8(opcode) {
        _ if opcode > 0x0F => Err(wsguard_result::InvalidArgument),
        Opcode::Text => Ok(MessageKind::Text),
        Opcode::Binary => Ok(MessageKind::Binary),
        op @ Opcode::Reserved(n) if !op.is_control() => Ok(MessageKind::Reserved(n)),
        _ => Err(wsguard_result::InvalidArgument),
    }
}

fn event_to_c(ev: Event<'_>) -> wsguard_frame_event {
    let empty: &[u8] = &[];
    let mut e = wsguard_frame_event {
        kind: wsguard_event_kind::Data,
        opcode: 0,
        message_opcode: 0,
        rsv: 0,
        fin_of_frame: false,
        fin_of_message: false,
        has_close_code: false,
        close_code: 0,
        frame_len: 0,
        payload: empty.as_ptr(),
        payload_len: 0,
    };
    let set = |e: &mut wsguard_frame_event, p: &[u8]| {
        e.payload = p.as_ptr();
        e.payload_len = p.len();
    };
    match ev {
        Event::Header(h) => {
            e.kind = wsguard_event_kind::Header;
            e.opcode = h.opcode.as_u8();
            e.rsv = h.rsv;
            e.fin_of_frame = h.fin;
            e.frame_len = h.payload_len;
        }
        Event::Data {
            kind,
            payload,
            fin_of_frame,
            fin_of_message,
        } => {
            e.kind = wsguard_event_kind::Data;
            e.message_opcode = message_opcode(kind);
            e.opcode = e.message_opcode;
            e.fin_of_frame = fin_of_frame;
            e.fin_of_message = fin_of_message;
            set(&mut e, payload);
        }
        Event::Ping(p) => {
            e.kind = wsguard_event_kind::Ping;
            e.opcode = 9;
            set(&mut e, p);
        }
        Event::Pong(p) => {
            e.kind = wsguard_event_kind::Pong;
            e.opcode = 10;
            set(&mut e, p);
        }
        Event::Close(c) => {
            e.kind = wsguard_event_kind::Close;
            e.opcode = 8;
            e.has_close_code = c.code.is_some();
            e.close_code = c.reported_code();
            set(&mut e, c.reason.as_bytes());
        }
        Event::Control { opcode, payload } => {
            e.kind = wsguard_event_kind::Control;
            e.opcode = opcode;
            set(&mut e, payload);
        }
    }
    e
}

#[allow(clippy::too_many_arguments)]
unsafe fn decode_impl(
    decoder: *mut wsguard_decoder,
    buf: *mut u8,
    len: usize,
    streaming: bool,
    consumed_out: *mut usize,
    needed_out: *mut usize,
    event_out: *mut wsguard_frame_event,
    rejection_out: *mut wsguard_rejection,
) -> Result<(), wsguard_result> {
    non_null(consumed_out)?;
    non_null(event_out)?;
    let dec = unsafe { handle::get_mut(decoder)? };
    let data = unsafe { bytes_mut(buf, len)? };
    let r = if streaming {
        dec.decode_streaming(data)
    } else {
        dec.decode(data)
    };
    match r {
        Ok(Decoded::Incomplete { needed }) => {
            unsafe { write_opt(needed_out, needed) };
            Err(wsguard_result::Incomplete)
        }
        Ok(Decoded::Event { consumed, event }) => {
            let e = event_to_c(event);
            unsafe {
                consumed_out.write(consumed);
                event_out.write(e);
            }
            Ok(())
        }
        Err(err) => {
            unsafe {
                write_opt(
                    rejection_out,
                    wsguard_rejection::from_diag(&err, 0, err.close_code()),
                )
            };
            Err(wsguard_result::ProtocolViolation)
        }
    }
}

/// Decodes the next event from the front of `buf[0..len)` (whole frames: a frame whose
/// payload does not fit in `len` bytes is INCOMPLETE until it all arrived).
///
/// * `WSGUARD_RESULT_OK`: `*event_out` is set and `*consumed_out` bytes of `buf` were used;
///   drop them from the front of your buffer after handling the event (its `payload`
///   points into `buf`, unmasked in place).
/// * `WSGUARD_RESULT_INCOMPLETE`: nothing consumed, `buf` unchanged; `*needed_out` (if not
///   NULL) is the exact number of bytes missing before the decoder can decide: once the
///   header is whole (2–14 bytes, its length known) it is `frame size - len`, so a call
///   with that many more bytes returns an event; before that it is the bytes the header
///   still lacks (1 after the first byte, 2 for an empty buffer, the rest of the extended
///   length and mask key), and the next call may ask for the payload.
/// * `WSGUARD_RESULT_PROTOCOL_VIOLATION`: the peer broke RFC 6455; `*rejection_out` (if
///   not NULL) says why and `close_code` is the code to close with (1002, 1003, 1007,
///   1009). The decoder stays failed: every later call returns the same verdict. Nothing is
///   consumed; `buf` is unchanged except for a refusal found in a whole payload (invalid
///   UTF-8, a bad Close payload): then that frame's payload bytes have been unmasked in
///   place and the rest of `buf` is unchanged. Close the connection; do not re-read `buf`.
///
/// `buf` is modified in place (unmasking). wsguard keeps no pointer to it after return.
///
/// # Safety
/// `decoder` is a live decoder; `buf` points to `len` writable bytes; the outputs are valid
/// (`needed_out` and `rejection_out` may be NULL).
#[no_mangle]
pub unsafe extern "C" fn wsguard_decoder_decode(
    decoder: *mut wsguard_decoder,
    buf: *mut u8,
    len: usize,
    consumed_out: *mut usize,
    needed_out: *mut usize,
    event_out: *mut wsguard_frame_event,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| unsafe {
        decode_impl(
            decoder,
            buf,
            len,
            false,
            consumed_out,
            needed_out,
            event_out,
            rejection_out,
        )
    })
}

/// Like `wsguard_decoder_decode`, but a data frame larger than your buffer arrives as a
/// HEADER event followed by DATA chunks (`fin_of_frame` on the last one), so a small
/// buffer can receive a large message. Same results and outputs; inside a streamed payload
/// INCOMPLETE comes only for `len == 0`, with `*needed_out` the bytes the frame still lacks
/// (any number of new bytes makes progress), and a UTF-8 refusal leaves that chunk unmasked.
///
/// # Safety
/// As `wsguard_decoder_decode`.
#[no_mangle]
pub unsafe extern "C" fn wsguard_decoder_decode_streaming(
    decoder: *mut wsguard_decoder,
    buf: *mut u8,
    len: usize,
    consumed_out: *mut usize,
    needed_out: *mut usize,
    event_out: *mut wsguard_frame_event,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| unsafe {
        decode_impl(
            decoder,
            buf,
            len,
            true,
            consumed_out,
            needed_out,
            event_out,
            rejection_out,
        )
    })
}

/// Closing-handshake state of a connection (`wsguard_decoder_close_state`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsguard_close_state {
    /// No Close sent or received.
    Open = 1,
    /// We sent a Close and wait for the peer's.
    CloseSent = 2,
    /// The peer sent a Close; reply with ours.
    CloseReceived = 3,
    /// Both Close frames exchanged: close the TCP connection.
    Closed = 4,
}

fn close_state_of(s: CloseState) -> wsguard_close_state {
    match s {
        CloseState::Open => wsguard_close_state::Open,
        CloseState::CloseSent => wsguard_close_state::CloseSent,
        CloseState::CloseReceived => wsguard_close_state::CloseReceived,
        CloseState::Closed => wsguard_close_state::Closed,
    }
}

/// Writes the closing-handshake state into `*state_out`.
///
/// # Safety
/// `decoder` is a live decoder (const: not modified); `state_out` is writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_decoder_close_state(
    decoder: *const wsguard_decoder,
    state_out: *mut wsguard_close_state,
) -> wsguard_result {
    guard(|| {
        non_null(state_out)?;
        let dec = unsafe { handle::get(decoder)? };
        unsafe { state_out.write(close_state_of(dec.close_state())) };
        Ok(())
    })
}

/// Tells the decoder that you sent a Close frame; writes the new state into `*state_out`
/// (may be NULL).
///
/// # Safety
/// `decoder` is a live decoder; `state_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_decoder_note_close_sent(
    decoder: *mut wsguard_decoder,
    state_out: *mut wsguard_close_state,
) -> wsguard_result {
    guard(|| {
        let dec = unsafe { handle::get_mut(decoder)? };
        let s = close_state_of(dec.note_close_sent());
        unsafe { write_opt(state_out, s) };
        Ok(())
    })
}

/// Size of a frame header on the wire (2–14 bytes) for `payload_len` bytes of payload,
/// masked (client) or not. Pure; cannot fail.
#[no_mangle]
pub extern "C" fn wsguard_frame_header_len(payload_len: u64, masked: bool) -> usize {
    guard_value(0, || encoder::header_len(payload_len, masked))
}

unsafe fn mask_of(
    mask_key: *const u8,
    mask_key_len: usize,
) -> Result<Option<[u8; 4]>, wsguard_result> {
    match mask_key_len {
        0 => Ok(None),
        4 => {
            let k = unsafe { bytes(mask_key, 4)? };
            let mut key = [0u8; 4];
            key.copy_from_slice(k);
            Ok(Some(key))
        }
        _ => Err(wsguard_result::InvalidLength),
    }
}

fn opcode_of(op: u8) -> Result<Opcode, wsguard_result> {
    if op > 0x0f {
        return Err(wsguard_result::InvalidArgument);
    }
    Ok(Opcode::from_u8(op))
}

unsafe fn finish_write(
    r: Result<usize, encoder::EncodeError>,
    written_out: *mut usize,
    needed_out: *mut usize,
    rejection_out: *mut wsguard_rejection,
) -> Result<(), wsguard_result> {
    match r {
        Ok(n) => {
            unsafe { written_out.write(n) };
            Ok(())
        }
        Err(encoder::EncodeError::BufferTooSmall { needed }) => {
            unsafe { write_opt(needed_out, needed) };
            Err(wsguard_result::BufferTooSmall)
        }
        Err(e) => {
            unsafe { write_opt(rejection_out, wsguard_rejection::from_diag(&e, 0, 0)) };
            Err(wsguard_result::InvalidArgument)
        }
    }
}

fn too_small(e: BufferTooSmall) -> encoder::EncodeError {
    encoder::EncodeError::BufferTooSmall { needed: e.needed }
}

/// Writes a whole frame (header + payload) at the start of `out`; `*written_out` is its
/// length. `opcode` is 0–15 (1 text, 2 binary, 0 continuation …). `mask_key_len` is 0
/// (server: unmasked) or 4 (client: the payload is copied masked with `mask_key`; use a
/// fresh random key per frame). No control-frame rule is checked here: use
/// `wsguard_frame_write_close` / `_ping` / `_pong` for those.
///
/// `WSGUARD_RESULT_BUFFER_TOO_SMALL`: nothing written to `out`; `*needed_out` (may be
/// NULL) is the frame size (`wsguard_frame_header_len() + payload_len`).
///
/// # Safety
/// `out` points to `out_len` writable bytes, `payload` to `payload_len` readable bytes
/// (not overlapping `out`), `mask_key` to `mask_key_len` bytes; `written_out` writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_frame_write(
    out: *mut u8,
    out_len: usize,
    fin: bool,
    opcode: u8,
    payload: *const u8,
    payload_len: usize,
    mask_key: *const u8,
    mask_key_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        let op = opcode_of(opcode)?;
        let mask = unsafe { mask_of(mask_key, mask_key_len)? };
        let data = unsafe { bytes(payload, payload_len)? };
        let dst = unsafe { bytes_mut(out, out_len)? };
        let r = encoder::write_frame(dst, fin, op, data, mask).map_err(too_small);
        unsafe { finish_write(r, written_out, needed_out, core::ptr::null_mut()) }
    })
}

/// Writes only a frame header (2–14 bytes) for a payload of `payload_len` bytes that you
/// send yourself afterwards (masking it with `wsguard_unmask` when `mask_key_len` is 4).
/// `payload_len` above 2^63 − 1 (`WSGUARD_FRAME_MAX_PAYLOAD_LEN`; RFC 6455 cannot announce
/// it) is `WSGUARD_RESULT_INVALID_LENGTH`, nothing written. Outputs as `wsguard_frame_write`.
///
/// # Safety
/// As `wsguard_frame_write`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_frame_write_header(
    out: *mut u8,
    out_len: usize,
    fin: bool,
    opcode: u8,
    payload_len: u64,
    mask_key: *const u8,
    mask_key_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        let op = opcode_of(opcode)?;
        let mask = unsafe { mask_of(mask_key, mask_key_len)? };
        let dst = unsafe { bytes_mut(out, out_len)? };
        let h = frame::FrameHeader::try_new(fin, op, payload_len, mask)
            .ok_or(wsguard_result::InvalidLength)?;
        let r = encoder::write_header(dst, &h).map_err(too_small);
        unsafe { finish_write(r, written_out, needed_out, core::ptr::null_mut()) }
    })
}

/// Writes a ping (`pong == false`) or pong (`pong == true`) frame; payload at most 125
/// bytes (else `WSGUARD_RESULT_INVALID_ARGUMENT`, with `*rejection_out` when not NULL).
/// Other outputs as `wsguard_frame_write`.
///
/// # Safety
/// As `wsguard_frame_write`; `rejection_out` is NULL or writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_frame_write_ping(
    out: *mut u8,
    out_len: usize,
    pong: bool,
    payload: *const u8,
    payload_len: usize,
    mask_key: *const u8,
    mask_key_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        let mask = unsafe { mask_of(mask_key, mask_key_len)? };
        let data = unsafe { bytes(payload, payload_len)? };
        let dst = unsafe { bytes_mut(out, out_len)? };
        let r = if pong {
            encoder::write_pong(dst, data, mask)
        } else {
            encoder::write_ping(dst, data, mask)
        };
        unsafe { finish_write(r, written_out, needed_out, rejection_out) }
    })
}

/// Writes a Close frame with `code` (0: no code and no reason, an empty Close) and a
/// UTF-8 `reason` of at most 123 bytes. A code that must not be sent (1005, 1006, 1015,
/// < 1000 …), a reason that is too long or a reason without a code give
/// `WSGUARD_RESULT_INVALID_ARGUMENT` with `*rejection_out` (may be NULL) saying which.
/// Other outputs as `wsguard_frame_write`.
///
/// # Safety
/// As `wsguard_frame_write`; `reason` points to `reason_len` bytes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_frame_write_close(
    out: *mut u8,
    out_len: usize,
    code: u16,
    reason: *const core::ffi::c_char,
    reason_len: usize,
    mask_key: *const u8,
    mask_key_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        let mask = unsafe { mask_of(mask_key, mask_key_len)? };
        let reason = unsafe { text(reason, reason_len)? };
        let dst = unsafe { bytes_mut(out, out_len)? };
        let code = if code == 0 { None } else { Some(code) };
        let r = encoder::write_close(dst, code, reason, mask);
        unsafe { finish_write(r, written_out, needed_out, rejection_out) }
    })
}

/// XORs `buf[0..len)` in place with the 4-byte `mask_key`, as if `buf` started `offset`
/// bytes into the payload (only `offset % 4` matters), so a payload arriving in pieces can
/// be unmasked piece by piece. Masking and unmasking are the same operation.
///
/// `buf` may be NULL only when `len == 0`; `mask_key_len` must be 4
/// (`WSGUARD_RESULT_INVALID_LENGTH` otherwise). Nothing is modified on failure.
/// Allocates nothing; keeps no pointer.
///
/// # Safety
/// `buf` points to `len` writable bytes; `mask_key` to `mask_key_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn wsguard_unmask(
    buf: *mut u8,
    len: usize,
    mask_key: *const u8,
    mask_key_len: usize,
    offset: usize,
) -> wsguard_result {
    guard(|| {
        if mask_key_len != 4 {
            return Err(wsguard_result::InvalidLength);
        }
        let key =
            unsafe { mask_of(mask_key, mask_key_len)? }.ok_or(wsguard_result::InvalidLength)?;
        let data = unsafe { bytes_mut(buf, len)? };
        frame::unmask(data, key, offset);
        Ok(())
    })
}

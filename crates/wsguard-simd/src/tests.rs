//! Differential tests against the core's safe `unmask`: every length 0–700 at starts
//! 0–40 and offsets 0–7, large buffers at every start 0–63, pieces equal the whole.

use super::*;

fn pattern(n: usize) -> Vec<u8> {
    (0..n as u32)
        .map(|i| (i.wrapping_mul(31) ^ (i >> 3)) as u8)
        .collect()
}

fn check(buf: &[u8], start: usize, len: usize, key: [u8; 4], offset: usize) {
    let mut a = buf.to_vec();
    let mut b = buf.to_vec();
    unmask(&mut a[start..start + len], key, offset);
    wsguard_core::frame::unmask(&mut b[start..start + len], key, offset);
    assert_eq!(a, b, "start {start} len {len} offset {offset}");
}

#[test]
fn equals_the_core_at_every_small_length_start_and_offset() {
    let src = pattern(800);
    for start in 0..40 {
        for len in 0..=700 {
            for offset in [0, 1, 2, 3, 5, 7] {
                check(&src, start, len, [0x12, 0x34, 0xab, 0xcd], offset);
            }
        }
    }
}

#[test]
fn equals_the_core_on_large_buffers_at_every_start() {
    let src = pattern(70_000);
    for start in 0..64 {
        for len in [1023, 1024, 1025, 4096 + 17, 65_536] {
            for offset in 0..4 {
                check(&src, start, len, [0xde, 0xad, 0xbe, 0xef], offset);
            }
        }
    }
}

#[test]
fn pieces_equal_the_whole() {
    let src = pattern(5_000);
    let key = [1, 2, 3, 4];
    let mut whole = src.clone();
    unmask(&mut whole, key, 0);
    for cut in [0, 1, 63, 64, 65, 1000, 1023, 2500, 4999, 5000] {
        let mut p = src.clone();
        let (a, b) = p.split_at_mut(cut);
        unmask(a, key, 0);
        unmask(b, key, cut);
        assert_eq!(p, whole, "cut {cut}");
    }
}

#[test]
fn level_is_detected_once_and_matches_the_cpu() {
    let l = level();
    assert_eq!(level(), l);
    #[cfg(target_arch = "x86_64")]
    if std::env::var_os("WSGUARD_SIMD").is_none() {
        assert_eq!(
            l == Level::Avx2,
            std::arch::is_x86_feature_detected!("avx2")
        );
    }
}

#[test]
fn a_decoder_with_the_vector_unmasker_decodes_like_the_core() {
    use wsguard_core::frame::{encoder, Decoded, Decoder, DecoderConfig, Event, Opcode};
    let payload = pattern(3000);
    let mut frame = vec![0u8; 3100];
    let n = encoder::write_frame(
        &mut frame,
        true,
        Opcode::Binary,
        &payload,
        Some([9, 8, 7, 6]),
    )
    .unwrap();
    let mut d = Decoder::new(DecoderConfig::server().with_unmasker(UNMASKER));
    match d.decode(&mut frame[..n]).unwrap() {
        Decoded::Event {
            event: Event::Data { payload: got, .. },
            ..
        } => assert_eq!(got, &payload[..]),
        other => panic!("{other:?}"),
    }
}

//! Runs one unmask variant `n` times over `size` bytes starting `start` bytes past a
//! 64-byte boundary, for `valgrind --tool=callgrind` instruction counts (and a rough
//! same-run clock comparison with `time`):
//!
//!     unmask_variants <wsguard|plain|align8|align32> <size> <start> <n>

use std::hint::black_box;
use wsguard_bench::{safe_unmask, KEY};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (variant, size, start, n) = (
        a[1].as_str(),
        a[2].parse::<usize>().unwrap(),
        a[3].parse::<usize>().unwrap(),
        a[4].parse::<usize>().unwrap(),
    );
    let mut storage = vec![7u8; size + 192];
    let base = storage.as_ptr().align_offset(64);
    let buf = &mut storage[base + start..base + start + size];
    let f: fn(&mut [u8], [u8; 4]) = match variant {
        "wsguard" => |b, k| wsguard_core::frame::unmask(b, k, 0),
        "plain" => safe_unmask::u64_plain,
        "align8" => |b, k| safe_unmask::u64_align(b, k, 8),
        "align32" => |b, k| safe_unmask::u64_align(b, k, 32),
        other => panic!("unknown variant {other}"),
    };
    for _ in 0..n {
        f(black_box(&mut *buf), black_box(KEY));
    }
    println!("{}", buf.iter().map(|&b| b as usize).sum::<usize>());
}

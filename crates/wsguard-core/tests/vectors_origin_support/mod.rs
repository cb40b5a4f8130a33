//! Shared helpers for the origin/cors/lint vector runners: JSON policy objects → policies.
#![allow(dead_code)]

use serde_json::Value;
use wsguard_core::origin::{HostPolicy, OriginPolicy, Pattern, Preset};

pub fn load(file: &str) -> Vec<Value> {
    let path = format!(
        "{}/../../tests/vectors/{}",
        env!("CARGO_MANIFEST_DIR"),
        file
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cases"].as_array().unwrap().clone()
}

pub fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

pub fn strs(v: &Value) -> &'static [&'static str] {
    let list: Vec<&'static str> = match v.as_array() {
        Some(a) => a.iter().map(|x| leak(x.as_str().unwrap())).collect(),
        None => Vec::new(),
    };
    Box::leak(list.into_boxed_slice())
}

pub fn preset(v: &Value) -> Preset {
    match v.as_str() {
        None => Preset::Production,
        Some(s) => Preset::from_name(s).unwrap_or_else(|| panic!("preset {s}")),
    }
}

/// Builds an OriginPolicy from the README's policy object (patterns must all parse).
pub fn origin_policy(p: &Value) -> OriginPolicy<'static> {
    let patterns: Vec<Pattern<'static>> = strs(&p["allow"])
        .iter()
        .map(|s| Pattern::parse(s).unwrap_or_else(|e| panic!("pattern {s}: {e:?}")))
        .collect();
    let patterns: &'static [Pattern<'static>] = Box::leak(patterns.into_boxed_slice());
    OriginPolicy::new(patterns)
        .allow_null(p["allow_null"].as_bool().unwrap_or(false))
        .allow_missing(p["allow_missing"].as_bool().unwrap_or(false))
        .preset(preset(&p["preset"]))
        .dev_hosts(strs(&p["dev_hosts"]))
}

pub fn host_policy(p: &Value) -> HostPolicy<'static> {
    HostPolicy::new(strs(&p["hosts"]))
}

/// A byte field given as text (`field`) or hex (`field_hex`); `None` when null/absent.
pub fn bytes(case: &Value, field: &str) -> Option<Vec<u8>> {
    if let Some(h) = case.get(format!("{field}_hex")).and_then(Value::as_str) {
        return Some(
            (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                .collect(),
        );
    }
    case.get(field)
        .and_then(Value::as_str)
        .map(|s| s.as_bytes().to_vec())
}

/// Deterministic xorshift64*.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// A random input: fully random bytes, or a mutated sample.
    pub fn input(&mut self, samples: &[&[u8]]) -> Vec<u8> {
        const ALPHABET: &[u8] = b"htps:/[]*.,:@%\\?#0123456789abcxyz-_ \t\r\nAZ\xff\xc3";
        if self.below(4) == 0 {
            let len = self.below(80);
            return (0..len).map(|_| self.next() as u8).collect();
        }
        let mut v = samples[self.below(samples.len())].to_vec();
        for _ in 0..=self.below(4) {
            let pos = self.below(v.len() + 1);
            let b = ALPHABET[self.below(ALPHABET.len())];
            match self.below(3) {
                0 if pos < v.len() => v[pos] = b,
                1 if pos < v.len() => {
                    v.remove(pos);
                }
                _ => v.insert(pos, b),
            }
        }
        v
    }
}

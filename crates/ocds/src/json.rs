//! JSON text byte for byte as `serde_json::to_vec` writes it, appended to a buffer. Most of a compiled release is
//! text, and serde_json looks at every byte of it for characters to escape; this looks at eight or sixteen at a
//! time and copies a text that has none whole.

use serde_json::{Number, Value};

pub(crate) fn value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => self::number(out, number),
        Value::String(text) => string(out, text),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                self::value(out, item);
            }
            out.push(b']');
        }
        Value::Object(fields) => {
            out.push(b'{');
            for (i, (name, field)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                key(out, name.as_bytes());
                self::value(out, field);
            }
            out.push(b'}');
        }
    }
}

/// A key of an object (UTF-8 text) with its colon.
#[inline]
pub(crate) fn key(out: &mut Vec<u8>, name: &[u8]) {
    text(out, name);
    out.push(b':');
}

/// A key of up to eight bytes, given as its length and its bytes in a big-endian number, zero-padded (so it is not
/// read again from the release it came from), with its quotes and colon: written as one sixteen-byte piece cut to
/// length, where each would be a write of its own. Says `false`, writing nothing, where the key must be escaped.
#[inline]
pub(crate) fn short_key(out: &mut Vec<u8>, len: usize, bytes: u64) -> bool {
    // The key's bytes only: a special byte only ever marks the bytes above it too, never those below.
    let kept = if len == 8 { u64::MAX } else { (1 << (8 * len)) - 1 };
    if special_bits(bytes.swap_bytes()) & kept != 0 {
        return false;
    }
    // Put together in registers: bytes stored one by one and read back as one piece would stall the read.
    let key = u128::from(bytes.swap_bytes());
    let piece = u128::from(b'"') | key << 8 | u128::from(u16::from_le_bytes(*b"\":")) << (8 * (1 + len));
    let end = out.len() + len + 3;
    out.extend_from_slice(&piece.to_le_bytes());
    out.truncate(end);
    true
}

#[inline]
pub(crate) fn string(out: &mut Vec<u8>, text: &str) {
    self::text(out, text.as_bytes());
}

/// UTF-8 text as a JSON string.
#[inline]
fn text(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if needs_escape(bytes) {
        escaped(out, bytes);
    } else {
        out.extend_from_slice(bytes);
    }
    out.push(b'"');
}

/// Whether any byte is a control character, `"` or `\`, sixteen or eight bytes at a time, the last read
/// overlapping the one before, and a short text read as overlapping halves, so no byte is looked at alone.
#[inline]
fn needs_escape(bytes: &[u8]) -> bool {
    use crate::rules::{half_at, word_at};
    let (word, half) = (|at| word_at(bytes, at), |at| half_at(bytes, at));
    let len = bytes.len();
    match len {
        0 => false,
        1..=3 => {
            let (first, middle, last) = (bytes[0], bytes[len / 2], bytes[len - 1]);
            special(u64::from_le_bytes([first, middle, last, first, first, first, first, first]))
        }
        4..=7 => special(half(0) << 32 | half(len - 4)),
        8..=16 => special(word(0)) || special(word(len - 8)),
        _ => {
            let mut at = 0;
            while at + 16 < len {
                if special_pair(word(at), word(at + 8)) {
                    return true;
                }
                at += 16;
            }
            special_pair(word(len - 16), word(len - 8))
        }
    }
}

/// Whether a byte of the word is a control character, `"` or `\`.
#[inline]
fn special(word: u64) -> bool {
    special_bits(word) != 0
}

/// The high bit of each byte of the word that is a control character, `"` or `\` (and maybe of bytes above such a
/// byte, never below). A byte below 0x20 borrows in the subtraction where the others do not, and XOR makes the
/// bytes sought zero; the three tests share the mask of bytes below 0x80, as XOR with `"` or `\` leaves a byte's
/// high bit as it was.
#[inline]
fn special_bits(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let control = word.wrapping_sub(ONES * 0x20);
    let quote = (word ^ (ONES * u64::from(b'"'))).wrapping_sub(ONES);
    let backslash = (word ^ (ONES * u64::from(b'\\'))).wrapping_sub(ONES);
    (control | quote | backslash) & !word & HIGH
}

/// [`special`] for two words, with one branch.
#[inline]
fn special_pair(low: u64, high: u64) -> bool {
    special_bits(low) | special_bits(high) != 0
}

/// serde_json's escapes: the short ones where JSON has them, `\u00xx` in lower case for other control characters.
fn escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let short = match byte {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x0c => b'f',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0..=0x1f => 0,
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if short == 0 {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ]);
        } else {
            out.extend_from_slice(&[b'\\', short]);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Integers written here; other numbers as serde_json writes them (its `Display` and its serializer use the same
/// formatter), which is rare enough to allocate for.
fn number(out: &mut Vec<u8>, number: &Number) {
    if let Some(n) = number.as_u64() {
        unsigned(out, n);
    } else if let Some(n) = number.as_i64() {
        out.push(b'-');
        unsigned(out, n.unsigned_abs());
    } else {
        out.extend_from_slice(number.to_string().as_bytes());
    }
}

fn unsigned(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn written(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        value(&mut out, v);
        out
    }

    /// Every ASCII character and some beyond, alone and at every position of texts longer than one word.
    #[test]
    fn strings_are_serde_jsons() {
        let mut texts: Vec<String> = (0..=0x7f_u8).map(|byte| char::from(byte).to_string()).collect();
        texts.extend(["", "居家养老", "é\u{80}\u{7ff}\u{ffff}\u{10ffff}"].map(str::to_owned));
        for byte in [0_u8, 0x08, 0x1f, b'"', b'\\', b'\n', 0x7f, b'a'] {
            for len in 1..=20 {
                for at in 0..len {
                    let mut text = vec![b'x'; len];
                    text[at] = byte;
                    texts.push(String::from_utf8(text).expect("ASCII"));
                }
            }
        }
        for text in texts {
            let text = Value::String(text);
            assert_eq!(written(&text), serde_json::to_vec(&text).expect("JSON"), "{text}");
        }
    }

    /// A key of up to eight bytes is written from its head as serde_json writes it, or left to `key` where it
    /// must be escaped.
    #[test]
    fn short_keys_are_serde_jsons() {
        let mut keys: Vec<String> = (0..=0x7f_u8).map(|byte| char::from(byte).to_string()).collect();
        keys.extend(["", "id", "é", "居家", "currency"].map(str::to_owned));
        for len in 1..=8 {
            for byte in [0_u8, 0x1f, b'"', b'\\', 0x7f, b'a'] {
                for at in 0..len {
                    let mut key = vec![b'k'; len];
                    key[at] = byte;
                    keys.push(String::from_utf8(key).expect("ASCII"));
                }
            }
        }
        for name in keys {
            let mut head = [0; 8];
            head[..name.len()].copy_from_slice(name.as_bytes());
            let mut out = Vec::new();
            if !short_key(&mut out, name.len(), u64::from_be_bytes(head)) {
                assert!(out.is_empty(), "{name:?}");
                key(&mut out, name.as_bytes());
            }
            let mut expected = serde_json::to_vec(&name).expect("JSON");
            expected.push(b':');
            assert_eq!(out, expected, "{name:?}");
        }
    }

    #[test]
    fn numbers_and_structures_are_serde_jsons() {
        let values = json!([
            0, 1, 9, 10, 99, 100, u64::MAX, -1, -10, i64::MIN, i64::MAX, 0.0, -0.0, 0.5, 1.0, 1.5e300, 5e-324,
            0.1, 123456789.125, f64::MAX, f64::MIN_POSITIVE, true, false, null, [], {}, [[], {}],
            {"b": {"a\"": [1, "x"]}, "a": null}
        ]);
        for value in values.as_array().expect("an array") {
            assert_eq!(written(value), serde_json::to_vec(value).expect("JSON"), "{value}");
        }
        assert_eq!(written(&values), serde_json::to_vec(&values).expect("JSON"));
    }
}

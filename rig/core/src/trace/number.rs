//! Numbers of a trace file: the ranges, the strict parse (with the error message), and a
//! fast path for the rows of plain decimals that trace files are made of.
//!
//! The fast path accepts a subset of what [`f64::from_str`] / [`f32::from_str`] accept and
//! gives the same (correctly rounded) value; anything else falls through to the strict
//! parse, which also words the error. `f32` fields are parsed as `f32` (never through
//! `f64`: that would round twice).

use crate::hw::{Sample, SensorKind};

/// The largest sensor count (or `# dark:` value) a trace may hold.
pub(crate) const MAX_COUNT: f32 = 1e9;
/// The largest `|t_ms|` a trace may hold (about 31 years).
pub(crate) const MAX_ABS_T_MS: f64 = 1e12;

/// A number of a trace file that cannot be read: which column, what was written, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum NumberError {
    #[error("{column} `{text}` is not a number")]
    NotANumber { column: &'static str, text: String },
    #[error("{column} `{text}` is not a finite number")]
    NotFinite { column: &'static str, text: String },
    #[error("{column} `{text}` is negative: sensor counts are 0 or more")]
    Negative { column: &'static str, text: String },
    #[error("t_ms `{text}` is out of range: |t_ms| is at most 1e12 ms")]
    TimeOutOfRange { text: String },
    #[error("{column} `{text}` is out of range: counts are at most 1e9")]
    CountOutOfRange { column: &'static str, text: String },
}

/// A time: a finite number with `|t| ≤ 1e12`.
pub(super) fn time(text: &str) -> Result<f64, NumberError> {
    let column = "t_ms";
    let t: f64 = text.parse().map_err(|_| NumberError::NotANumber {
        column,
        text: text.to_string(),
    })?;
    if !t.is_finite() {
        return Err(NumberError::NotFinite {
            column,
            text: text.to_string(),
        });
    }
    if t.abs() > MAX_ABS_T_MS {
        return Err(NumberError::TimeOutOfRange {
            text: text.to_string(),
        });
    }
    Ok(t)
}

/// A sensor count (or a dark value): a finite number in `0..=1e9`.
pub(super) fn count(text: &str, column: &'static str) -> Result<f32, NumberError> {
    let text_of = || text.to_string();
    let v: f32 = text.parse().map_err(|_| NumberError::NotANumber {
        column,
        text: text_of(),
    })?;
    if !v.is_finite() {
        return Err(NumberError::NotFinite {
            column,
            text: text_of(),
        });
    }
    if v < 0.0 {
        return Err(NumberError::Negative {
            column,
            text: text_of(),
        });
    }
    if v > MAX_COUNT {
        return Err(NumberError::CountOutOfRange {
            column,
            text: text_of(),
        });
    }
    Ok(v)
}

/// Exact powers of ten as `f64` (every one up to 1e22 is exact).
const POW10_F64: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];
/// Exact powers of ten as `f32` (every one up to 1e10 is exact).
const POW10_F32: [f32; 11] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];

/// Skip spaces and tabs.
#[inline(always)]
fn blanks(s: &[u8], i: &mut usize) {
    while matches!(s.get(*i), Some(b' ' | b'\t')) {
        *i += 1;
    }
}

/// `[0-9]+(\.[0-9]+)?` at `s[*i..]`: the digits as an integer and how many of them follow
/// the point. `None` (and `*i` unmoved) if the text is not of that form or has more than 19
/// digits (the integer could overflow).
#[inline(always)]
fn decimal(s: &[u8], i: &mut usize) -> Option<(u64, usize)> {
    let mut k = *i;
    let mut m = 0;
    // Eight bytes at a time; near the end of `s`, one at a time.
    let Some(int_digits) = digits8(s, &mut k, &mut m) else {
        return decimal_bytewise(s, i);
    };
    if int_digits == 0 {
        return None;
    }
    let mut frac = 0;
    if s.get(k) == Some(&b'.') {
        k += 1;
        let Some(f) = digits8(s, &mut k, &mut m) else {
            return decimal_bytewise(s, i);
        };
        if f == 0 {
            return None;
        }
        frac = f;
    }
    if int_digits + frac > 19 {
        return None;
    }
    *i = k;
    Some((m, frac))
}

/// `10^n` for the digit runs of [`digits8`] and [`compact_field`].
const POW10_U64: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// The run of ASCII digits at `s[*k..]` appended to `m` (wrapping past 19 digits: the
/// caller refuses those), 8 bytes at a time (SWAR); how many digits. `None` if fewer than
/// 8 bytes are left to look at.
#[inline(always)]
fn digits8(s: &[u8], k: &mut usize, m: &mut u64) -> Option<usize> {
    let start = *k;
    loop {
        let bytes: [u8; 8] = s.get(*k..*k + 8)?.try_into().ok()?;
        let x = u64::from_le_bytes(bytes);
        // Per byte, digit value if a digit. A byte that is not a digit sets its top bit in
        // `x - '0'` (below '0') or in `x - '0' + 0x76` (above '9'); borrows and carries only
        // run upwards from such a byte, so the first one is found right.
        let sub = x.wrapping_sub(0x3030_3030_3030_3030);
        let other = (sub | sub.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080;
        let n = (other.trailing_zeros() / 8) as usize;
        if n > 0 {
            *m = m
                .wrapping_mul(POW10_U64[n])
                .wrapping_add(eight_digits(sub << (8 * (8 - n))));
            *k += n;
        }
        if n < 8 || *k - start > 19 {
            return Some(*k - start);
        }
    }
}

/// The value of eight digit values (byte 0 the most significant), as in fast_float's
/// `parse_eight_digits_unrolled`: pairs, then fours, then the eight, by multiplications.
#[inline(always)]
fn eight_digits(v: u64) -> u64 {
    const MASK: u64 = 0x0000_00FF_0000_00FF;
    const MUL1: u64 = 100 + (1_000_000 << 32);
    const MUL2: u64 = 1 + (10_000 << 32);
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let v1 = (v & MASK).wrapping_mul(MUL1);
    let v2 = ((v >> 16) & MASK).wrapping_mul(MUL2);
    u64::from((v1.wrapping_add(v2) >> 32) as u32)
}

/// [`decimal`] one byte at a time.
#[cold]
fn decimal_bytewise(s: &[u8], i: &mut usize) -> Option<(u64, usize)> {
    let mut j = *i;
    let mut m: u64 = 0;
    let int_digits = digits_into(s, &mut j, &mut m);
    if int_digits == 0 {
        return None;
    }
    let mut frac = 0;
    if s.get(j) == Some(&b'.') {
        j += 1;
        frac = digits_into(s, &mut j, &mut m);
        if frac == 0 {
            return None;
        }
    }
    if int_digits + frac > 19 {
        return None;
    }
    *i = j;
    Some((m, frac))
}

/// The decimal digits at `s[*j..]` appended to `m` (wrapping: the caller bounds the
/// count); returns how many there were.
fn digits_into(s: &[u8], j: &mut usize, m: &mut u64) -> usize {
    let start = *j;
    while let Some(&b) = s.get(*j) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        *m = m.wrapping_mul(10).wrapping_add(u64::from(d));
        *j += 1;
    }
    *j - start
}

/// A time field at `s[*i..]` (after blanks), in range; `None`: not a plain decimal, or
/// out of range — the strict parse decides.
#[inline(always)]
fn fast_time(s: &[u8], i: &mut usize) -> Option<f64> {
    blanks(s, i);
    let start = *i;
    let negative = s.get(start) == Some(&b'-');
    let digits = start + usize::from(negative);
    let mut j = digits;
    let (m, frac) = decimal(s, &mut j)?;
    // Both exact, one correctly rounded division: the correctly rounded value.
    let t = match exact_f64(m, frac) {
        Some(t) => t,
        None => long_number::<f64>(&s[digits..j])?,
    };
    let t = if negative { -t } else { t };
    if t.abs() > MAX_ABS_T_MS {
        return None;
    }
    *i = j;
    Some(t)
}

/// A count field at `s[*i..]` (after blanks), in range; `None` as for [`fast_time`].
#[inline(always)]
fn fast_count(s: &[u8], i: &mut usize) -> Option<f32> {
    blanks(s, i);
    let mut j = *i;
    let (m, frac) = decimal(s, &mut j)?;
    let v = match exact_f32(m, frac) {
        Some(v) => v,
        None => long_number::<f32>(&s[*i..j])?,
    };
    if v > MAX_COUNT {
        return None;
    }
    *i = j;
    Some(v)
}

/// A plain decimal with more digits than the exact fast path takes (e.g. a time written
/// with all 17 digits): std's parser (Eisel–Lemire, correctly rounded), which the row's
/// other work outweighs (a dedicated crate measured no faster here).
/// `text` is what [`decimal`] took: `[0-9]+(\.[0-9]+)?`, which both parsers read alike.
#[cold]
fn long_number<F: std::str::FromStr>(text: &[u8]) -> Option<F> {
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// A compact row is read from a window of this many bytes…
const WINDOW: usize = 96;
/// …of which the first this many are looked at: a compact row ends within them.
const SEEN: usize = 64;
type Window = [u8; WINDOW];

/// Rows of the compact form (`1234.5,12,345,6,7890\n`: no spaces, no sign, 1 to 8 digits
/// before a point and 1 to 16 after it, 19 in all, an optional `\r`, 64 bytes at most) at
/// the start of `s`, pushed onto `buf`: at most `room`, in time order after `last_t`
/// (which follows). How many, and the bytes they took. Stops at the first row that is not
/// compact or goes back in time (and within 96 bytes of the end of `s`): the caller reads
/// that one the slower way.
///
/// Not digit by digit: one pass over the row's first 64 bytes finds every byte that is
/// not a digit (16 at a time with SSE2 on x86-64, 8 at a time elsewhere); the row is split
/// at those bytes and each number is converted from 8 bytes at once.
#[inline(always)]
pub(super) fn compact_rows(
    s: &[u8],
    kind: SensorKind,
    last_t: &mut f64,
    buf: &mut Vec<Sample>,
    room: usize,
) -> (usize, usize) {
    let mut rows = 0;
    let mut pos = 0;
    while rows < room {
        let Some(w) = s.get(pos..pos + WINDOW) else {
            break;
        };
        let w: &Window = w.try_into().expect("a window");
        let mut stops = non_digits_64(w);
        let Some((sample, next)) = compact_row(w, &mut stops, kind) else {
            break;
        };
        if sample.t_ms < *last_t {
            break;
        }
        *last_t = sample.t_ms;
        buf.push(sample);
        rows += 1;
        pos += next;
    }
    (rows, pos)
}

/// Bit `i` set where byte `i` of the first 64 is not an ASCII digit: SSE2 (in every x86-64)
/// compares 16 bytes at a time and gathers the results with one instruction.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn non_digits_64(w: &Window) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    let part = |k: usize| -> u64 {
        // SAFETY: SSE2 is part of x86-64 (every x86-64 CPU has it); `w` has 96 bytes, so
        // the 16 at `16 k` (k < 4) are in it, and an unaligned load needs no alignment.
        let bits = unsafe {
            let v = _mm_loadu_si128(w.as_ptr().add(16 * k).cast::<__m128i>());
            // Signed bytes: anything from 0x80 up is below '0' too.
            let below = _mm_cmplt_epi8(v, _mm_set1_epi8(b'0' as i8));
            let above = _mm_cmpgt_epi8(v, _mm_set1_epi8(b'9' as i8));
            _mm_movemask_epi8(_mm_or_si128(below, above))
        };
        u64::from(bits as u16) << (16 * k)
    };
    part(0) | part(1) | part(2) | part(3)
}

/// Bit `i` set where byte `i` of the first 64 is not an ASCII digit: 8 bytes at a time
/// (SWAR).
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn non_digits_64(w: &Window) -> u64 {
    let mut stops = 0;
    for k in 0..8 {
        let x = u64::from_le_bytes(w[8 * k..8 * k + 8].try_into().expect("8 bytes"));
        stops |= non_digits(x) << (8 * k);
    }
    stops
}

/// Bit `i` set where byte `i` of the 8 bytes `x` is not an ASCII digit (exact per byte).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn non_digits(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let t = x ^ 0x3030_3030_3030_3030; // a digit becomes 0..=9
                                       // Top bit of each byte: set if the byte is 10 or more (no carry leaves a byte).
    let high = ((t & LOW7).wrapping_add(0x7676_7676_7676_7676) | t) & 0x8080_8080_8080_8080;
    // Gather the eight top bits into the low byte.
    (high >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// The value of the `len` (1..=8) digits at `w[at..]`, `at` < [`SEEN`].
#[inline(always)]
fn digits_at(w: &Window, at: usize, len: usize) -> u64 {
    let bytes: [u8; 8] = w[at..at + 8].try_into().expect("8 bytes");
    let sub = u64::from_le_bytes(bytes).wrapping_sub(0x3030_3030_3030_3030);
    if len <= 4 {
        // Most counts: four digits in 32 bits, two multiplications fewer.
        four_digits((sub as u32) << (8 * (4 - len)))
    } else {
        eight_digits(sub << (8 * (8 - len)))
    }
}

/// The value of four digit values (byte 0 the most significant): pairs, then the four.
#[inline(always)]
fn four_digits(v: u32) -> u64 {
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    u64::from(((v & 0x00ff_00ff).wrapping_mul(1 + (100 << 16)) >> 16) & 0xffff)
}

/// Where the next stop is, consumed from `stops`; [`SEEN`]: none seen.
#[inline(always)]
fn next_stop(stops: &mut u64) -> usize {
    let at = stops.trailing_zeros() as usize;
    *stops &= stops.wrapping_sub(1);
    at
}

/// The next field of a compact row: `digits[.digits]` from `start` to the next stop, 1 to
/// 8 digits before the point, 1 to 16 after it, 19 in all. Where it ends, and its digits
/// with the fraction's length.
#[inline(always)]
fn compact_field(w: &Window, stops: &mut u64, start: usize) -> Option<(usize, u64, usize)> {
    let end = next_stop(stops);
    let len = end.wrapping_sub(start);
    if end >= SEEN || !(1..=8).contains(&len) {
        return None;
    }
    let int = digits_at(w, start, len);
    if w[end] != b'.' {
        return Some((end, int, 0));
    }
    let end2 = next_stop(stops);
    let frac = end2.wrapping_sub(end + 1);
    if end2 >= SEEN || !(1..=16).contains(&frac) || len + frac > 19 {
        return None;
    }
    let m = if frac <= 8 {
        int * POW10_U64[frac] + digits_at(w, end + 1, frac)
    } else {
        let rest = frac - 8;
        (int * POW10_U64[8] + digits_at(w, end + 1, 8)) * POW10_U64[rest]
            + digits_at(w, end + 9, rest)
    };
    Some((end2, m, frac))
}

/// The compact row at the start of `w` and where the next begins; `None` if it is not one.
#[inline(always)]
fn compact_row(w: &Window, stops: &mut u64, kind: SensorKind) -> Option<(Sample, usize)> {
    let (end, m, frac) = compact_field(w, stops, 0)?;
    let t_ms = match exact_f64(m, frac) {
        Some(t) => t,
        None => long_number(&w[..end])?,
    };
    let (sample, end) = match kind {
        SensorKind::Rgbc => {
            let (r, end) = compact_count(w, stops, end)?;
            let (g, end) = compact_count(w, stops, end)?;
            let (b, end) = compact_count(w, stops, end)?;
            let (c, end) = compact_count(w, stops, end)?;
            (Sample { t_ms, r, g, b, c }, end)
        }
        SensorKind::Level => {
            let (c, end) = compact_count(w, stops, end)?;
            let sample = Sample {
                t_ms,
                c,
                ..Sample::default()
            };
            (sample, end)
        }
    };
    let next = match w[end] {
        b'\n' => end + 1,
        b'\r' if w[end + 1] == b'\n' => end + 2,
        _ => return None,
    };
    Some((sample, next))
}

/// A count after the comma at `w[comma]`, and where it ends.
#[inline(always)]
fn compact_count(w: &Window, stops: &mut u64, comma: usize) -> Option<(f32, usize)> {
    if w[comma] != b',' {
        return None;
    }
    let (end, m, frac) = compact_field(w, stops, comma + 1)?;
    let v = match exact_f32(m, frac) {
        Some(v) => v,
        None => long_number(&w[comma + 1..end])?,
    };
    Some((v, end))
}

/// `m / 10^frac` when that is one exact division (correctly rounded); `None` otherwise.
#[inline(always)]
fn exact_f64(m: u64, frac: usize) -> Option<f64> {
    // `m as i64`: a one-instruction conversion (`m` ≤ 2^53).
    (m <= 1 << 53 && frac < POW10_F64.len()).then(|| m as i64 as f64 / POW10_F64[frac])
}

/// `m / 10^frac` as a correctly rounded `f32`, when the fast ways give it; `None` otherwise.
#[inline(always)]
fn exact_f32(m: u64, frac: usize) -> Option<f32> {
    if m <= 1 << 24 && frac < POW10_F32.len() {
        let v = m as i32 as f32; // exact
        return Some(if frac == 0 { v } else { v / POW10_F32[frac] });
    }
    // The correctly rounded f64, rounded again to f32: right unless the f64 is exactly
    // halfway between two f32s (then the first rounding may have made the tie). It is a
    // normal f32 (1e-22 or more) or 0, so the f32 drops its low 29 bits.
    let x = exact_f64(m, frac)?;
    (x.to_bits() & 0x1fff_ffff != 0x1000_0000).then_some(x as f32)
}

/// A row of plain decimals at the start of `s`, field by field (spaces, a sign, longer
/// numbers): the sample and the bytes up to and including the `\n` ending it. `None` if
/// the row is anything else (a comment, a blank line, an error, a number in another form,
/// a line that does not end in this slice): the caller then reads it the strict way.
#[inline(always)]
pub(super) fn fast_row_nl(s: &[u8], kind: SensorKind) -> Option<(Sample, usize)> {
    let mut i = 0;
    let sample = fields(s, &mut i, kind)?;
    blanks(s, &mut i);
    if s.get(i) == Some(&b'\r') {
        i += 1;
    }
    (s.get(i) == Some(&b'\n')).then_some((sample, i + 1))
}

/// A whole line (without its `\n`) of plain decimals; `None` as for [`fast_row_nl`].
pub(super) fn fast_row(s: &[u8], kind: SensorKind) -> Option<Sample> {
    let mut i = 0;
    let sample = fields(s, &mut i, kind)?;
    blanks(s, &mut i);
    if s.get(i) == Some(&b'\r') {
        i += 1;
    }
    (i == s.len()).then_some(sample)
}

#[inline(always)]
fn comma(s: &[u8], i: &mut usize) -> Option<()> {
    blanks(s, i);
    if s.get(*i) == Some(&b',') {
        *i += 1;
        Some(())
    } else {
        None
    }
}

#[inline(always)]
fn fields(s: &[u8], i: &mut usize, kind: SensorKind) -> Option<Sample> {
    let t_ms = fast_time(s, i)?;
    match kind {
        SensorKind::Rgbc => {
            comma(s, i)?;
            let r = fast_count(s, i)?;
            comma(s, i)?;
            let g = fast_count(s, i)?;
            comma(s, i)?;
            let b = fast_count(s, i)?;
            comma(s, i)?;
            let c = fast_count(s, i)?;
            Some(Sample { t_ms, r, g, b, c })
        }
        SensorKind::Level => {
            comma(s, i)?;
            let c = fast_count(s, i)?;
            Some(Sample {
                t_ms,
                c,
                ..Sample::default()
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::{RngExt, SeedableRng};

    /// Parse `text` alone (byte by byte: less than 8 bytes left) and followed by more of a
    /// row (8 bytes at a time): both read it alike, up to its end.
    fn both<T: PartialEq + std::fmt::Debug>(
        text: &str,
        parse: impl Fn(&[u8], &mut usize) -> Option<T>,
    ) -> Option<T> {
        let alone = {
            let mut i = 0;
            parse(text.as_bytes(), &mut i).filter(|_| i == text.len())
        };
        let padded = format!("{text},12345678,12345678");
        let mut i = 0;
        let in_row = parse(padded.as_bytes(), &mut i).filter(|_| i == text.len());
        assert_eq!(alone, in_row, "{text}");
        alone
    }

    fn fast_t(text: &str) -> Option<f64> {
        both(text, fast_time)
    }

    fn fast_c(text: &str) -> Option<f32> {
        both(text, fast_count)
    }

    #[test]
    fn a_bad_number_says_which_rule_it_breaks() {
        let text = |t: &str| t.to_string();
        assert_eq!(
            count("-1", "g"),
            Err(NumberError::Negative {
                column: "g",
                text: text("-1")
            })
        );
        assert_eq!(
            count("2e9", "level"),
            Err(NumberError::CountOutOfRange {
                column: "level",
                text: text("2e9")
            })
        );
        assert_eq!(
            count("inf", "r"),
            Err(NumberError::NotFinite {
                column: "r",
                text: text("inf")
            })
        );
        assert_eq!(
            time("2e12"),
            Err(NumberError::TimeOutOfRange { text: text("2e12") })
        );
        assert_eq!(
            time("x").unwrap_err().to_string(),
            "t_ms `x` is not a number"
        );
    }

    #[test]
    fn eight_bytes_at_a_time_reads_as_one_at_a_time() {
        let mut rng = SmallRng::seed_from_u64(11);
        let alphabet = b"0123456789012345678901234567890123456789..,, e-+/:\x80\xff";
        for _ in 0..200_000 {
            let len = rng.random_range(0..30);
            let bytes: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect();
            let (mut i, mut j) = (0, 0);
            let swar = decimal(&bytes, &mut i);
            let bytewise = decimal_bytewise(&bytes, &mut j);
            assert_eq!(
                (swar, i),
                (bytewise, j),
                "{:?}",
                String::from_utf8_lossy(&bytes)
            );
        }
        for text in [
            "12345678",
            "123456789",
            "1234567.12345678",
            "99999999.999999999",
            "0000000000000000001",
        ] {
            let (mut i, mut j) = (0, 0);
            let padded = format!("{text},");
            assert_eq!(
                decimal(padded.as_bytes(), &mut i),
                decimal_bytewise(padded.as_bytes(), &mut j),
                "{text}"
            );
            assert_eq!(i, j);
        }
    }

    #[test]
    fn the_fast_path_takes_plain_decimals_only_and_agrees_with_std() {
        for text in [
            "0",
            "-0",
            "5",
            "5.25",
            "-2.5",
            "0.1",
            "1234567.8",
            "0.000001",
            "123456789.12345678",
            "900719925474.0993",
            "1234.5678901234567",
            "0.30000000000000004",
            "999999999999",
            "-999999999999.9",
        ] {
            let want: f64 = text.parse().unwrap();
            let got = fast_t(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(got.to_bits(), want.to_bits(), "{text}");
        }
        for text in [
            "0",
            "65535",
            "0.1",
            "12.345678",
            "16777217",
            "16777219",
            "0.10000001",
            "120.666664",
            "123456.78901234",
            "1e-45",
            "999999999",
        ] {
            let want: f32 = text.parse().unwrap();
            if let Some(got) = fast_c(text) {
                assert_eq!(got.to_bits(), want.to_bits(), "{text}");
            }
        }
        // Left to the strict parse: other forms, errors, out of range.
        for text in [
            "",
            "-",
            ".5",
            "5.",
            "+5",
            "1e3",
            "inf",
            "NaN",
            "1,5",
            "x",
            "--1",
            "1.2.3",
            "1000000000001",
            "12345678901234567890",
        ] {
            assert_eq!(fast_t(text), None, "{text}");
        }
        for text in ["-1", "-0", "1000000100", "1e3", "nan", "+1", ""] {
            assert_eq!(fast_c(text), None, "{text}");
        }
    }

    #[test]
    fn random_decimals_parse_as_std_parses_them() {
        let mut rng = SmallRng::seed_from_u64(7);
        for _ in 0..200_000 {
            let int_digits: u32 = rng.random_range(1..13);
            let int: u64 = rng.random_range(0..10u64.pow(int_digits));
            let frac_digits = rng.random_range(0..12usize);
            let frac: u64 = rng.random_range(0..10u64.pow(frac_digits as u32));
            let text = if frac_digits == 0 {
                format!("{int}")
            } else {
                format!("{int}.{frac:0frac_digits$}")
            };
            // Declined only out of range or with more than 19 digits.
            let long = text.bytes().filter(u8::is_ascii_digit).count() > 19;
            let want_t: f64 = text.parse().unwrap();
            match fast_t(&text) {
                Some(t) => assert_eq!(t.to_bits(), want_t.to_bits(), "{text}"),
                None => assert!(want_t > MAX_ABS_T_MS || long, "{text}"),
            }
            let want_c: f32 = text.parse().unwrap();
            match fast_c(&text) {
                Some(c) => assert_eq!(c.to_bits(), want_c.to_bits(), "{text}"),
                None => assert!(want_c > MAX_COUNT || long, "{text}"),
            }
        }
        // Integers past 2^24, many halfway between two f32s: ties go to even, once.
        for _ in 0..100_000 {
            let text = rng.random_range(1u64 << 24..1 << 30).to_string();
            let want: f32 = text.parse().unwrap();
            if let Some(c) = fast_c(&text) {
                assert_eq!(c.to_bits(), want.to_bits(), "{text}");
            }
        }
    }

    #[test]
    fn rows_of_plain_decimals() {
        let s = b" 1.5 , 2,3 ,4, 5 \r\nnext";
        let (sample, n) = fast_row_nl(s, SensorKind::Rgbc).unwrap();
        assert_eq!(n, s.len() - 4);
        assert_eq!(
            sample,
            Sample {
                t_ms: 1.5,
                r: 2.0,
                g: 3.0,
                b: 4.0,
                c: 5.0
            }
        );
        assert_eq!(
            fast_row_nl(b"1,2,3,4,5", SensorKind::Rgbc),
            None,
            "no newline"
        );
        assert_eq!(
            fast_row(b"1,2,3,4,5", SensorKind::Rgbc),
            Some(sample_of(1.0, [2.0, 3.0, 4.0, 5.0]))
        );
        assert_eq!(fast_row(b"1,2,3,4", SensorKind::Rgbc), None);
        assert_eq!(fast_row(b"1,2,3,4,5,", SensorKind::Rgbc), None);
        assert_eq!(fast_row(b"1,2", SensorKind::Rgbc), None);
        assert_eq!(
            fast_row(b"-3,7", SensorKind::Level),
            Some(Sample {
                t_ms: -3.0,
                c: 7.0,
                ..Sample::default()
            })
        );
        assert_eq!(fast_row(b"3,7,1", SensorKind::Level), None);
        assert_eq!(fast_row(b"# 3,7", SensorKind::Level), None);
    }

    /// A random number as a trace might hold it: integers, decimals, long ones, odd forms.
    fn random_field(rng: &mut SmallRng) -> String {
        let digits = |rng: &mut SmallRng, n: usize| -> String {
            (0..n)
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect()
        };
        let int = rng.random_range(1..11);
        let mut f = digits(rng, int);
        match rng.random_range(0..10) {
            0..=3 => {}
            4..=7 => {
                let frac = rng.random_range(1..19);
                f = format!("{f}.{}", digits(rng, frac));
            }
            8 => f = format!(" {f} "),
            _ => f = format!("{f}{}", ["e2", ".", "x", "-1", ""][rng.random_range(0..5)]),
        }
        f
    }

    #[test]
    fn compact_rows_read_as_the_field_by_field_path() {
        let mut rng = SmallRng::seed_from_u64(3);
        for round in 0..20_000 {
            let kind = if round % 4 == 0 {
                SensorKind::Level
            } else {
                SensorKind::Rgbc
            };
            let cols = if kind == SensorKind::Level { 2 } else { 5 };
            let mut text = Vec::new();
            let mut lines = Vec::new();
            for _ in 0..rng.random_range(1..6) {
                let n = if rng.random_range(0..20) == 0 {
                    cols + 1
                } else {
                    cols
                };
                let row: Vec<String> = (0..n).map(|_| random_field(&mut rng)).collect();
                let end = if rng.random() { "\n" } else { "\r\n" };
                let line = format!("{}{end}", row.join(","));
                text.extend_from_slice(line.as_bytes());
                lines.push(line);
            }
            text.extend_from_slice(&[b'9'; 96]);
            let mut buf = Vec::new();
            let mut last = f64::NEG_INFINITY;
            let (rows, used) = compact_rows(&text, kind, &mut last, &mut buf, usize::MAX);
            assert_eq!(rows, buf.len());
            // Every row taken is read as the field-by-field path reads it…
            let mut at = 0;
            for (sample, line) in buf.iter().zip(&lines) {
                let (want, n) =
                    fast_row_nl(&text[at..], kind).unwrap_or_else(|| panic!("{line:?}"));
                assert_eq!(n, line.len(), "{line:?}");
                assert_eq!(sample.t_ms.to_bits(), want.t_ms.to_bits(), "{line:?}");
                for (a, b) in [
                    (sample.r, want.r),
                    (sample.g, want.g),
                    (sample.b, want.b),
                    (sample.c, want.c),
                ] {
                    assert_eq!(a.to_bits(), b.to_bits(), "{line:?}");
                }
                at += n;
            }
            assert_eq!(at, used);
            // …and the first row left was not compact, or went back in time.
            if let Some(line) = lines.get(rows) {
                let fields: Vec<&str> = line.trim_end().split(',').collect();
                let compact = fields.len() == cols
                    && line.len() <= 64
                    && fields.iter().all(|f| {
                        let (int, frac) = f.split_once('.').unwrap_or((f, ""));
                        (1..=8).contains(&int.len())
                            && (!f.contains('.') || (1..=16).contains(&frac.len()))
                            && int.len() + frac.len() <= 19
                            && (int.to_owned() + frac).bytes().all(|b| b.is_ascii_digit())
                    });
                let t: f64 = line
                    .split(',')
                    .next()
                    .unwrap()
                    .trim()
                    .parse()
                    .unwrap_or(f64::NAN);
                assert!(!compact || t < last, "{line:?} was left");
            }
        }
    }

    fn sample_of(t_ms: f64, [r, g, b, c]: [f32; 4]) -> Sample {
        Sample { t_ms, r, g, b, c }
    }
}

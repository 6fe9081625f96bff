//! Invalid and odd modules: a generated module changed by one to four
//! byte-level edits. Most edits land after the 8-byte header, so that the
//! runtimes' parsers get past the magic number and meet the damage deep
//! inside a section; some work on whole sections (a size that lies, two
//! sections swapped, one repeated, the module cut at a section boundary),
//! which is where parsers tend to trust what they read.

use super::rng::Rng;

/// The module header: magic and version.
const HEADER: usize = 8;

/// What one edit does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Flips one bit.
    FlipBit,
    /// Sets a byte to a value parsers treat specially (0, 0x7f, 0x80, 0xff,
    /// a section id).
    Interesting,
    /// Removes a run of bytes.
    Delete,
    /// Inserts random bytes.
    Insert,
    /// Copies a run of bytes over another place.
    Duplicate,
    /// Cuts the module short.
    Truncate,
    /// Rewrites a section's size as a larger, longer LEB128.
    SectionSize,
    /// Swaps two sections.
    SwapSections,
    /// Repeats a section.
    RepeatSection,
}

impl Edit {
    const ALL: [Edit; 9] = [
        Edit::FlipBit,
        Edit::Interesting,
        Edit::Delete,
        Edit::Insert,
        Edit::Duplicate,
        Edit::Truncate,
        Edit::SectionSize,
        Edit::SwapSections,
        Edit::RepeatSection,
    ];
}

/// Mutant `index` of campaign `seed`, made from `base`.
pub fn module(seed: u64, index: u64, base: &[u8]) -> Vec<u8> {
    let mut rng = Rng::new(seed, 2, index);
    let mut m = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        let edit = Edit::ALL[rng.below(Edit::ALL.len())];
        apply(edit, &mut m, &mut rng);
    }
    if m == base {
        // Every edit happened to undo itself: flip a bit for certain.
        apply(Edit::FlipBit, &mut m, &mut rng);
    }
    m
}

/// A position to edit: past the header nine times in ten.
fn position(m: &[u8], rng: &mut Rng) -> usize {
    if m.len() > HEADER && rng.below(10) != 0 {
        HEADER + rng.below(m.len() - HEADER)
    } else {
        rng.below(m.len().max(1))
    }
}

fn apply(edit: Edit, m: &mut Vec<u8>, rng: &mut Rng) {
    if m.is_empty() {
        let n = 1 + rng.below(16);
        m.extend(rng.bytes(n));
        return;
    }
    match edit {
        Edit::FlipBit => {
            let at = position(m, rng);
            m[at] ^= 1 << rng.below(8);
        }
        Edit::Interesting => {
            const VALUES: [u8; 8] = [0x00, 0x01, 0x0b, 0x7f, 0x80, 0xff, 0x0a, 0x40];
            let at = position(m, rng);
            m[at] = VALUES[rng.below(VALUES.len())];
        }
        Edit::Delete => {
            let at = position(m, rng);
            let n = (1 + rng.below(16)).min(m.len() - at);
            m.drain(at..at + n);
        }
        Edit::Insert => {
            let at = position(m, rng);
            let n = 1 + rng.below(16);
            let bytes = rng.bytes(n);
            m.splice(at..at, bytes);
        }
        Edit::Duplicate => {
            let from = position(m, rng);
            let n = (1 + rng.below(32)).min(m.len() - from);
            let run = m[from..from + n].to_vec();
            let to = position(m, rng);
            let end = (to + n).min(m.len());
            m.splice(to..end, run);
        }
        Edit::Truncate => {
            let sections = sections(m);
            let at = match sections.len() {
                0 => position(m, rng),
                n if rng.below(2) == 0 => sections[rng.below(n)].start,
                _ => position(m, rng),
            };
            m.truncate(at.max(1));
        }
        Edit::SectionSize => {
            if let Some(s) = pick(m, rng) {
                // The size as a 5-byte LEB128, larger than the truth.
                let size = (s.end - s.body) as u32 + 1 + rng.below(1 << 20) as u32;
                let leb = [
                    (size as u8 & 0x7f) | 0x80,
                    ((size >> 7) as u8 & 0x7f) | 0x80,
                    ((size >> 14) as u8 & 0x7f) | 0x80,
                    ((size >> 21) as u8 & 0x7f) | 0x80,
                    (size >> 28) as u8 & 0x0f,
                ];
                m.splice(s.start + 1..s.body, leb);
            }
        }
        Edit::SwapSections => {
            let sections = sections(m);
            if sections.len() >= 2 {
                let i = rng.below(sections.len() - 1);
                let (a, b) = (sections[i], sections[i + 1]);
                let mut swapped = m[b.start..b.end].to_vec();
                swapped.extend_from_slice(&m[a.start..a.end]);
                m.splice(a.start..b.end, swapped);
            }
        }
        Edit::RepeatSection => {
            if let Some(s) = pick(m, rng) {
                let copy = m[s.start..s.end].to_vec();
                m.splice(s.end..s.end, copy);
            }
        }
    }
}

/// Where a section is: its id byte, its body, its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Section {
    start: usize,
    body: usize,
    end: usize,
}

/// The sections of `m`, as far as they can be walked.
fn sections(m: &[u8]) -> Vec<Section> {
    let mut out = Vec::new();
    let mut at = HEADER;
    while at < m.len() {
        let Some((size, len)) = leb(&m[at + 1..]) else {
            break;
        };
        let body = at + 1 + len;
        let end = body.saturating_add(size as usize);
        if end > m.len() {
            break;
        }
        out.push(Section {
            start: at,
            body,
            end,
        });
        at = end;
    }
    out
}

fn pick(m: &[u8], rng: &mut Rng) -> Option<Section> {
    let s = sections(m);
    (!s.is_empty()).then(|| s[rng.below(s.len())])
}

/// An unsigned LEB128 of at most 5 bytes: its value and length.
fn leb(b: &[u8]) -> Option<(u32, usize)> {
    let mut v = 0u32;
    for (i, byte) in b.iter().take(5).enumerate() {
        v |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutants_differ_from_their_base_and_are_reproducible() {
        let base = super::super::generate::module(3, 0).unwrap();
        assert!(sections(&base).len() >= 4, "{:?}", sections(&base));
        let mut invalid = 0;
        for i in 0..200 {
            let m = module(3, i, &base);
            assert_ne!(m, base, "mutant {i}");
            assert_eq!(m, module(3, i, &base), "mutant {i}");
            if wasmparser::Validator::new().validate_all(&m).is_err() {
                invalid += 1;
            }
        }
        // Most mutants are invalid: the parsers' error paths are exercised.
        assert!(invalid > 100, "{invalid} of 200 invalid");
    }

    #[test]
    fn section_edits_keep_the_walk_honest() {
        let base = super::super::generate::module(3, 1).unwrap();
        let walked = sections(&base);
        assert_eq!(walked.last().unwrap().end, base.len());
        let mut m = base.clone();
        let mut rng = Rng::new(0, 0, 0);
        apply(Edit::SwapSections, &mut m, &mut rng);
        assert_eq!(m.len(), base.len());
        let mut m = base.clone();
        apply(Edit::RepeatSection, &mut m, &mut rng);
        assert!(m.len() > base.len());
    }
}

//! `--partition K/N`: a CI matrix of N jobs, job K grading its share of
//! the submissions, the shares disjoint and together the whole batch.
//!
//! Like nextest's partitions there are two ways to share out. `count:K/N`
//! (the default) deals the sorted submissions out in turn, so the shares
//! differ in size by at most one; `hash:K/N` puts each submission by a hash
//! of its name, so a submission stays in its job when others are added or
//! removed (late submissions do not reshuffle the matrix). The hash is
//! FNV-1a, written out here because it must never change between versions:
//! a merge joins reports of jobs that may run different builds.

use std::fmt;
use std::str::FromStr;

use crate::Submission;

/// Which share of a batch this run grades.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// 1-based share.
    pub k: u32,
    /// Number of shares.
    pub n: u32,
    /// How submissions are shared out.
    pub by_hash: bool,
}

/// A `--partition` value that cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "bad partition `{0}`: expected K/N with 1 <= K <= N, optionally prefixed by count: or hash: (e.g. 2/4, hash:1/3)"
)]
pub struct PartitionError(String);

impl FromStr for Partition {
    type Err = PartitionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || PartitionError(s.to_owned());
        let (by_hash, rest) = if let Some(r) = s.strip_prefix("hash:") {
            (true, r)
        } else {
            (false, s.strip_prefix("count:").unwrap_or(s))
        };
        let (k, n) = rest.split_once('/').ok_or_else(bad)?;
        let k: u32 = k.trim().parse().map_err(|_| bad())?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Partition { k, n, by_hash })
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.by_hash { "hash" } else { "count" };
        write!(f, "{kind}:{}/{}", self.k, self.n)
    }
}

impl Partition {
    /// The submissions of this share, in their order. `all` must be sorted
    /// by name (as [`crate::discover`] returns them).
    pub fn select(&self, all: Vec<Submission>) -> Vec<Submission> {
        all.into_iter()
            .enumerate()
            .filter(|(i, s)| {
                let slot = if self.by_hash {
                    fnv1a(s.name.as_bytes()) % u64::from(self.n)
                } else {
                    *i as u64 % u64::from(self.n)
                };
                slot == u64::from(self.k - 1)
            })
            .map(|(_, s)| s)
            .collect()
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::PathBuf;

    fn subs(names: &[String]) -> Vec<Submission> {
        let mut v: Vec<Submission> = names
            .iter()
            .map(|n| Submission {
                name: n.clone(),
                dir: PathBuf::from(n),
            })
            .collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v.dedup_by(|a, b| a.name == b.name);
        v
    }

    #[test]
    fn parses_and_prints() {
        assert_eq!(
            "2/4".parse::<Partition>().unwrap(),
            Partition {
                k: 2,
                n: 4,
                by_hash: false
            }
        );
        assert_eq!(
            "hash:1/3".parse::<Partition>().unwrap().to_string(),
            "hash:1/3"
        );
        assert_eq!(
            "count:3/3".parse::<Partition>().unwrap().to_string(),
            "count:3/3"
        );
        for bad in ["0/2", "3/2", "1/0", "1", "a/b", "slice:1/2", ""] {
            assert!(bad.parse::<Partition>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_hash_is_fixed_forever() {
        // Reports of different builds are merged: these must never change.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"alice"), 0x508b_2abb_65a0_3907);
    }

    proptest! {
        #[test]
        fn shares_are_disjoint_and_cover_the_batch(
            names in proptest::collection::vec("[a-z]{1,8}", 0..40),
            n in 1u32..6,
            by_hash in any::<bool>(),
        ) {
            let all = subs(&names);
            let mut seen: Vec<String> = Vec::new();
            for k in 1..=n {
                let share = Partition { k, n, by_hash }.select(all.clone());
                if !by_hash {
                    let even = all.len() / n as usize;
                    prop_assert!(share.len() == even || share.len() == even + 1);
                }
                seen.extend(share.into_iter().map(|s| s.name));
            }
            seen.sort();
            let want: Vec<String> = all.iter().map(|s| s.name.clone()).collect();
            prop_assert_eq!(seen, want);
        }
    }
}

//! Deterministic variant assignment (SPEC §5), checkable from outside:
//! `bucket = first 8 bytes, big-endian, of SHA-256("{salt}:{profile key}") mod 10000`.

use sha2::{Digest, Sha256};

use super::Percent;

/// Where a profile lands among a campaign's arms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    /// In the holdout: gets nothing, kept as the control.
    Holdout,
    /// In the variant at this index (listed order).
    Variant(usize),
}

/// The profile's bucket in `0..10000`.
pub fn bucket(salt: &str, key: &str) -> u64 {
    let digest = Sha256::new()
        .chain_update(salt.as_bytes())
        .chain_update(b":")
        .chain_update(key.as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % 10_000
}

/// Assigns a bucket: below `holdout × 10000` is the holdout; else the first variant `i` with
/// `(b − H) × W < (10000 − H) × C_i` (W the sum of weights, C_i the cumulative weight).
/// Integer arithmetic throughout. `weights` must be non-empty and positive.
pub fn assign_bucket(bucket: u64, holdout: Percent, weights: &[u32]) -> Assignment {
    let h = u64::from(holdout.hundredths);
    if bucket < h {
        return Assignment::Holdout;
    }
    let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
    let mut cumulative = 0u64;
    for (index, &weight) in weights.iter().enumerate() {
        cumulative += u64::from(weight);
        if (bucket - h) * total < (10_000 - h) * cumulative {
            return Assignment::Variant(index);
        }
    }
    Assignment::Variant(weights.len().saturating_sub(1))
}

/// Assigns a profile of a campaign.
pub fn assign(salt: &str, key: &str, holdout: Percent, weights: &[u32]) -> Assignment {
    assign_bucket(bucket(salt, key), holdout, weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_matches_an_independent_sha256() {
        // `printf 'sneaker_nudge:u1' | sha256sum` starts 103b2dd6e48b687c;
        // 0x103b2dd6e48b687c mod 10000 = 8444.
        assert_eq!(bucket("sneaker_nudge", "u1"), 8444);
    }

    #[test]
    fn holdout_and_weights_split_exactly() {
        let ten = Percent { hundredths: 1_000 };
        assert_eq!(assign_bucket(999, ten, &[50, 50]), Assignment::Holdout);
        assert_eq!(assign_bucket(1_000, ten, &[50, 50]), Assignment::Variant(0));
        // (b − 1000) × 100 < 9000 × 50  ⇔  b < 5500.
        assert_eq!(assign_bucket(5_499, ten, &[50, 50]), Assignment::Variant(0));
        assert_eq!(assign_bucket(5_500, ten, &[50, 50]), Assignment::Variant(1));
        assert_eq!(assign_bucket(9_999, ten, &[50, 50]), Assignment::Variant(1));
        let counts = (0..10_000).fold([0usize; 3], |mut c, b| {
            match assign_bucket(b, Percent { hundredths: 0 }, &[1, 2, 1]) {
                Assignment::Variant(i) => c[i] += 1,
                Assignment::Holdout => unreachable!(),
            }
            c
        });
        assert_eq!(counts, [2_500, 5_000, 2_500]);
    }
}

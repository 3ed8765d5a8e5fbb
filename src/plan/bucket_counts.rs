//! How many of a campaign's audience landed in each bucket, keyed by [`Bucket`] rather than
//! by name; written (and read back, for `--base`) as an object keyed by bucket name, in name
//! order.

use std::collections::BTreeMap;

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::Bucket;

/// Counts per bucket; a bucket never counted reads 0.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BucketCounts(BTreeMap<Bucket, usize>);

impl BucketCounts {
    /// Every one of `buckets` at 0, so that the written plan lists each of them.
    pub fn zeroed(buckets: &[Bucket]) -> BucketCounts {
        BucketCounts(buckets.iter().map(|bucket| (*bucket, 0)).collect())
    }

    /// Counts one more profile in `bucket`.
    pub fn add(&mut self, bucket: Bucket) {
        *self.0.entry(bucket).or_default() += 1;
    }

    /// The count of `bucket`.
    pub fn get(&self, bucket: Bucket) -> usize {
        self.0.get(&bucket).copied().unwrap_or(0)
    }

    /// Every count added up.
    pub fn total(&self) -> usize {
        self.0.values().sum()
    }

    /// Each bucket and its count, in name order (the order plans are written in).
    pub fn iter(&self) -> impl Iterator<Item = (Bucket, usize)> + '_ {
        let mut counts: Vec<(Bucket, usize)> = self.0.iter().map(|(b, n)| (*b, *n)).collect();
        counts.sort_by_key(|(bucket, _)| bucket.name());
        counts.into_iter()
    }
}

impl Serialize for BucketCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (bucket, count) in self.iter() {
            map.serialize_entry(bucket.name(), &count)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for BucketCounts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<BucketCounts, D::Error> {
        let named = BTreeMap::<String, usize>::deserialize(deserializer)?;
        let mut counts = BTreeMap::new();
        for (name, count) in named {
            let bucket =
                Bucket::from_name(&name).ok_or_else(|| D::Error::custom(format!("unknown bucket `{name}`")))?;
            counts.insert(bucket, count);
        }
        Ok(BucketCounts(counts))
    }
}

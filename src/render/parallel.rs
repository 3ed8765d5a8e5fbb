//! Work spread over every core, results kept in the input's order (same inputs, same output).

/// The fewest messages worth a rendering thread of their own.
pub const RENDERS_PER_THREAD: usize = 32;

/// `f` applied to every item of `items`, on up to one thread per core (each thread taking a
/// contiguous share of at least `min_share` items), results in the order of `items`. A panic in
/// `f` is passed on.
pub fn map_on_every_core<T: Sync, R: Send>(items: &[T], min_share: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(items.len() / min_share.max(1)).max(1);
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let shares: Vec<_> = items
            .chunks(items.len().div_ceil(threads))
            .map(|share| scope.spawn(move || share.iter().map(f).collect::<Vec<R>>()))
            .collect();
        shares
            .into_iter()
            .flat_map(|share| share.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::map_on_every_core;

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled = map_on_every_core(&items, 8, |n| n * 2);
        assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        assert!(map_on_every_core(&[] as &[u32], 8, |n| *n).is_empty());
    }
}

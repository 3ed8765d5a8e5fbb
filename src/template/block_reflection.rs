//! What each of tailor's own block tags tells the `liquid` crate about itself: its start and
//! end tags and a description (`liquid_core::BlockReflection`).

/// Implements `BlockReflection` for `$block`: `{% $start %}` … `{% $end %}`, `$description`.
macro_rules! block_reflection {
    ($block:ty, $start:literal, $end:literal, $description:literal) => {
        impl liquid_core::BlockReflection for $block {
            fn start_tag(&self) -> &str {
                $start
            }

            fn end_tag(&self) -> &str {
                $end
            }

            fn description(&self) -> &str {
                $description
            }
        }
    };
}

pub(super) use block_reflection;

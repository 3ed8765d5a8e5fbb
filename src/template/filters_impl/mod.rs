//! Filters the `liquid` crate's standard library lacks: the rest of standard Liquid's
//! filters, and tailor's own. With them, every filter the checker accepts also renders.

mod collections;
mod date;
mod encoding;
mod strings;
mod tailor;

use liquid_core::model::KString;
use liquid_core::Error;

pub use collections::{Find, FindIndex, Has, Reject, Sum};
pub use date::{strftime, Date};
pub use encoding::{Base64Decode, Base64Encode, Base64UrlSafeDecode, Base64UrlSafeEncode};
pub use strings::{RemoveLast, ReplaceLast};
pub use tailor::{Money, Pluralize, Product, ProductCatalog, ProductRows, Raw, SafeUrl, UrlParam};

fn invalid_input(cause: impl Into<KString>) -> Error {
    Error::with_msg("Invalid input").context("cause", cause)
}

fn invalid_argument(argument: impl Into<KString>, cause: impl Into<KString>) -> Error {
    Error::with_msg("Invalid argument")
        .context("argument", argument)
        .context("cause", cause)
}

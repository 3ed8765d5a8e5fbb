//! `base64_encode`, `base64_decode` and their URL-safe forms.

use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use base64::Engine as _;
use liquid_core::{Display_filter, Filter, FilterReflection, ParseFilter};
use liquid_core::{Result, Runtime, Value, ValueView};

use super::invalid_input;

macro_rules! base64_filter {
    ($public:ident, $parsed:ident, $name:literal, $description:literal, |$text:ident| $body:expr) => {
        #[doc = $description]
        #[derive(Clone, ParseFilter, FilterReflection)]
        #[filter(name = $name, description = $description, parsed($parsed))]
        pub struct $public;

        #[derive(Debug, Default, Display_filter)]
        #[name = $name]
        struct $parsed;

        impl Filter for $parsed {
            fn evaluate(&self, input: &dyn ValueView, _runtime: &dyn Runtime) -> Result<Value> {
                let $text = input.to_kstr();
                $body
            }
        }
    };
}

fn decoded(bytes: std::result::Result<Vec<u8>, base64::DecodeError>) -> Result<Value> {
    let bytes = bytes.map_err(|_| invalid_input("not valid base64"))?;
    let text = String::from_utf8(bytes).map_err(|_| invalid_input("the decoded bytes are not UTF-8"))?;
    Ok(Value::scalar(text))
}

base64_filter!(
    Base64Encode,
    Base64EncodeFilter,
    "base64_encode",
    "Encodes text as base64.",
    |text| Ok(Value::scalar(STANDARD.encode(text.as_bytes())))
);
base64_filter!(
    Base64Decode,
    Base64DecodeFilter,
    "base64_decode",
    "Decodes base64 text.",
    |text| decoded(STANDARD.decode(text.as_bytes()))
);
base64_filter!(
    Base64UrlSafeEncode,
    Base64UrlSafeEncodeFilter,
    "base64_url_safe_encode",
    "Encodes text as URL-safe base64.",
    |text| Ok(Value::scalar(URL_SAFE.encode(text.as_bytes())))
);
base64_filter!(
    Base64UrlSafeDecode,
    Base64UrlSafeDecodeFilter,
    "base64_url_safe_decode",
    "Decodes URL-safe base64 text.",
    |text| decoded(URL_SAFE.decode(text.as_bytes()))
);

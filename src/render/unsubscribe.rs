//! The unsubscribe token (SPEC §1): the hex HMAC-SHA256 of the profile key under a secret, so
//! that nobody can unsubscribe someone else.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The environment variable holding the secret.
pub const SECRET_VARIABLE: &str = "TAILOR_UNSUBSCRIBE_SECRET";

/// The shortest secret accepted: 32 bytes, as many as the HMAC-SHA256 output, so a token
/// cannot be forged by guessing the secret.
pub const MIN_SECRET_BYTES: usize = 32;

/// Why the environment gave no usable secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretProblem {
    /// Not set, or set to nothing (CI systems pass an unset secret as an empty value).
    Missing,
    /// Set, but only this many bytes long.
    TooShort(usize),
}

/// The unsubscribe secret in `value` (the environment variable's value): refused when
/// empty or shorter than [`MIN_SECRET_BYTES`], since an empty key signs tokens anyone can make.
pub fn checked_secret(value: Option<&str>) -> Result<&str, SecretProblem> {
    match value {
        None | Some("") => Err(SecretProblem::Missing),
        Some(secret) if secret.len() < MIN_SECRET_BYTES => Err(SecretProblem::TooShort(secret.len())),
        Some(secret) => Ok(secret),
    }
}

/// Whether `given` equals `expected`, compared in time that does not depend on where they
/// differ (tokens, signatures and write keys must not leak through timing).
pub fn constant_time_eq(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// The token for `key` under `secret`.
pub fn unsubscribe_token(secret: &[u8], key: &str) -> String {
    // HMAC accepts keys of any length, so this never fails.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(key.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_short_secrets_are_refused() {
        assert_eq!(checked_secret(None), Err(SecretProblem::Missing));
        assert_eq!(checked_secret(Some("")), Err(SecretProblem::Missing));
        assert_eq!(checked_secret(Some("short")), Err(SecretProblem::TooShort(5)));
        let long = "k".repeat(32);
        assert_eq!(checked_secret(Some(&long)), Ok(long.as_str()));
    }

    #[test]
    fn matches_an_independent_hmac() {
        // printf 'u1' | openssl dgst -sha256 -hmac 'secret'
        assert_eq!(
            unsubscribe_token(b"secret", "u1"),
            "8a629605d37d74d6c872140bed892da5f3739914899fdd6171dfe43031786151"
        );
    }
}

//! The unsubscribe token (SPEC §1): the hex HMAC-SHA256 of the profile key under a secret, so
//! that nobody can unsubscribe someone else.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The environment variable holding the secret.
pub const SECRET_VARIABLE: &str = "TAILOR_UNSUBSCRIBE_SECRET";

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
    fn matches_an_independent_hmac() {
        // printf 'u1' | openssl dgst -sha256 -hmac 'secret'
        assert_eq!(
            unsubscribe_token(b"secret", "u1"),
            "8a629605d37d74d6c872140bed892da5f3739914899fdd6171dfe43031786151"
        );
    }
}

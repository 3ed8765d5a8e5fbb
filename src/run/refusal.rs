//! Reading a server's permanent refusal: whether it is about the recipient (and so a reason to
//! suppress the address) or about the sender, the message or the server itself (a relay that
//! denies relaying, a policy block), which says nothing about the address. RFC 3463's enhanced
//! status codes decide: `5.1.x` (addressing, but for the sender's own address, 5.1.7 and
//! 5.1.8) and `5.2.1` (mailbox disabled) are the recipient's; everything else is not, and a
//! refusal without an enhanced code is not taken as the recipient's either.

/// The enhanced status code (`class.subject.detail`) in a reply such as `550 5.1.1 unknown`.
fn enhanced_code(reply: &str) -> Option<(u8, u16, u16)> {
    let mut words = reply.split_whitespace();
    let first = words.next()?;
    // `550-5.1.1` (a continuation line) or `550 5.1.1`.
    let candidate = match first.split_once('-') {
        Some((_, rest)) if !rest.is_empty() => rest,
        _ => words.next()?,
    };
    let mut parts = candidate.split('.');
    let class = parts.next()?.parse().ok()?;
    let subject = parts.next()?.parse().ok()?;
    let detail = parts.next()?.trim_end_matches([',', ':', ';']).parse().ok()?;
    (parts.next().is_none() && matches!(class, 2 | 4 | 5)).then_some((class, subject, detail))
}

/// Whether a permanent refusal is about the recipient's address, so that suppressing it is
/// right.
pub fn is_recipient_specific(reply: &str) -> bool {
    match enhanced_code(reply) {
        Some((5, 1, detail)) => !matches!(detail, 7 | 8),
        Some((5, 2, 1)) => true,
        _ => false,
    }
}

/// A refusal with `address` taken out (whatever its case), so that the same answer to
/// different recipients reads the same.
pub fn without_address(reply: &str, address: &str) -> String {
    redact(reply, address, "<recipient>")
}

/// `text` with every occurrence of `address`, compared without regard to ASCII case,
/// replaced by `with`.
pub fn redact(text: &str, address: &str, with: &str) -> String {
    if address.is_empty() {
        return text.to_string();
    }
    // ASCII lowercasing keeps every byte offset, so matches found in the lowered copy
    // cut the original at the same places.
    let lowered = text.to_ascii_lowercase();
    let needle = address.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    while let Some(found) = lowered[from..].find(&needle) {
        let at = from + found;
        out.push_str(&text[from..at]);
        out.push_str(with);
        from = at + needle.len();
    }
    out.push_str(&text[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_recipient_refusals_are_the_recipients() {
        assert!(is_recipient_specific("550 5.1.1 <a@b.test>: user unknown"));
        assert!(is_recipient_specific("550-5.1.1 The email account does not exist"));
        assert!(is_recipient_specific("550 5.2.1 mailbox disabled"));
        assert!(is_recipient_specific("553 5.1.3 bad address syntax"));
        assert!(!is_recipient_specific("550 5.7.1 relaying denied"));
        assert!(!is_recipient_specific("554 5.7.1 rejected"));
        assert!(!is_recipient_specific("550 5.1.8 sender domain does not resolve"));
        assert!(!is_recipient_specific("554 transaction failed"));
        assert!(!is_recipient_specific("550 relaying denied"));
        assert!(!is_recipient_specific("552 5.3.4 message too big"));
    }

    #[test]
    fn addresses_are_redacted_whatever_their_case() {
        assert_eq!(
            without_address("550 5.1.1 <USER0@X.TEST>: unknown user0@x.test", "user0@x.test"),
            "550 5.1.1 <<recipient>>: unknown <recipient>"
        );
        assert_eq!(redact("no address here", "a@b.test", "x"), "no address here");
    }
}

//! Email addresses and mailboxes (`Name <local@domain>`), validated without a network.

/// Whether `address` is a plausible `local@domain` address.
pub fn is_valid_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// Splits `"Name <address>"` or a bare address into its display name and address.
pub fn parse_mailbox(text: &str) -> Result<(Option<String>, String), String> {
    let text = text.trim();
    let (name, address) = match (text.rfind('<'), text.ends_with('>')) {
        (Some(open), true) => {
            let name = text[..open].trim().trim_matches('"').trim();
            (
                Some(name.to_string()).filter(|n| !n.is_empty()),
                &text[open + 1..text.len() - 1],
            )
        }
        _ => (None, text),
    };
    if name.as_deref().is_some_and(|n| n.contains(['\r', '\n'])) {
        return Err("the display name contains a line break".into());
    }
    if !is_valid_address(address) {
        return Err(format!("`{address}` is not a valid email address"));
    }
    Ok((name, address.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mailboxes() {
        assert_eq!(
            parse_mailbox("Acme <hello@acme.test>").unwrap(),
            (Some("Acme".into()), "hello@acme.test".into())
        );
        assert!(parse_mailbox("hello@acme").is_err());
        assert!(parse_mailbox("not an address").is_err());
        assert!(is_valid_address("a.b+c@x-y.example.com"));
        assert!(!is_valid_address("a..b@x.com"));
    }
}

//! DKIM signing (RFC 6376), `rsa-sha256` with `relaxed/relaxed` canonicalization. The signature
//! covers the headers a receiver shows or acts on — including `List-Unsubscribe` and
//! `List-Unsubscribe-Post`, as RFC 8058 §3.1 requires for one-click unsubscribe — and the body.
//! Signing is done by the sending threads, once per message (not per retry).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::PrivateKey;
use sha2::{Digest, Sha256};

use crate::model::Dkim;

/// The headers signed, in this order (a header a message lacks is signed as absent).
pub const SIGNED_HEADERS: [&str; 10] = [
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "reply-to",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "mime-version",
    "content-type",
];

/// Signs messages for one domain and selector.
pub struct DkimSigner {
    domain: String,
    selector: String,
    key: SigningKey<Sha256>,
}

fn is_wsp(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// `text` with runs of spaces and tabs made one space.
fn collapse_whitespace(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut in_space = false;
    for &byte in text {
        if is_wsp(byte) {
            if !in_space {
                out.push(b' ');
            }
            in_space = true;
        } else {
            out.push(byte);
            in_space = false;
        }
    }
    out
}

/// The relaxed body (RFC 6376 §3.4.4): whitespace runs made one space, trailing whitespace
/// dropped from each line, empty lines at the end dropped, CRLF line ends.
pub fn relaxed_body(body: &[u8]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = body
        .split(|&b| b == b'\n')
        .map(|line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let mut line = collapse_whitespace(line);
            while line.last().is_some_and(|&b| is_wsp(b)) {
                line.pop();
            }
            line
        })
        .collect();
    while lines.last().is_some_and(Vec::is_empty) {
        lines.pop();
    }
    let mut out = Vec::with_capacity(body.len());
    for line in lines {
        out.extend_from_slice(&line);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// One relaxed header (RFC 6376 §3.4.2): `name:value` with the name lowercased, the value
/// unfolded, whitespace runs made one space and trimmed, ending in CRLF.
pub fn relaxed_header(name: &str, value: &[u8]) -> Vec<u8> {
    let unfolded: Vec<u8> = value.iter().copied().filter(|&b| b != b'\r' && b != b'\n').collect();
    let collapsed = collapse_whitespace(&unfolded);
    let trimmed = collapsed.trim_ascii();
    let mut out = name.to_ascii_lowercase().into_bytes();
    out.push(b':');
    out.extend_from_slice(trimmed);
    out.extend_from_slice(b"\r\n");
    out
}

/// The message's header fields as (name, raw value with any folding), and where its body starts.
fn split_message(message: &[u8]) -> (Vec<(String, &[u8])>, usize) {
    let mut headers: Vec<(String, &[u8])> = Vec::new();
    let mut position = 0;
    let mut current: Option<(String, usize)> = None;
    while position < message.len() {
        let end = message[position..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(message.len(), |i| position + i);
        let line = &message[position..end];
        let next = (end + 2).min(message.len());
        if line.is_empty() {
            if let Some((name, start)) = current.take() {
                headers.push((name, &message[start..position.saturating_sub(2).max(start)]));
            }
            return (headers, next);
        }
        if line.first().is_some_and(|&b| is_wsp(b)) {
            // A continuation of the current field.
        } else {
            if let Some((name, start)) = current.take() {
                headers.push((name, &message[start..position - 2]));
            }
            let colon = line.iter().position(|&b| b == b':').unwrap_or(line.len());
            let name = String::from_utf8_lossy(&line[..colon]).trim().to_string();
            current = Some((name, (position + colon + 1).min(end)));
        }
        position = next;
    }
    if let Some((name, start)) = current.take() {
        headers.push((name, &message[start..]));
    }
    (headers, message.len())
}

impl DkimSigner {
    /// A signer with the PEM key (PKCS#8 or PKCS#1 RSA) of `settings`.
    pub fn load(settings: &Dkim) -> Result<DkimSigner, String> {
        let pem = std::fs::read_to_string(&settings.key_file)
            .map_err(|e| format!("cannot read the DKIM key `{}`: {e}", settings.key_file.display()))?;
        let key = PrivateKey::from_pkcs8_pem(&pem)
            .or_else(|_| PrivateKey::from_pkcs1_pem(&pem))
            .map_err(|e| {
                format!(
                    "`{}` is not an RSA private key in PEM (PKCS#8 or PKCS#1): {e}",
                    settings.key_file.display()
                )
            })?;
        Ok(DkimSigner {
            domain: settings.domain.clone(),
            selector: settings.selector.clone(),
            key: SigningKey::<Sha256>::new(key),
        })
    }

    /// `message` (CRLF line ends) with a `DKIM-Signature` header in front. There is no `t=`
    /// (it is optional): the same message always gets the same signature, and a run with a
    /// `--now` in the future does not sign "from the future".
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let (headers, body_start) = split_message(message);
        let body_hash = STANDARD.encode(Sha256::digest(relaxed_body(&message[body_start..])));
        let mut hashed = Vec::new();
        let mut used = vec![false; headers.len()];
        for name in SIGNED_HEADERS {
            // The last unused instance of a header is signed first (RFC 6376 §5.4.2).
            let found = headers
                .iter()
                .enumerate()
                .rev()
                .find(|(i, (n, _))| !used[*i] && n.eq_ignore_ascii_case(name));
            if let Some((index, (_, value))) = found {
                used[index] = true;
                hashed.extend_from_slice(&relaxed_header(name, value));
            }
        }
        let value = format!(
            "v=1; a=rsa-sha256; c=relaxed/relaxed; d={}; s={};\r\n\th={};\r\n\tbh={body_hash};\r\n\tb=",
            self.domain,
            self.selector,
            SIGNED_HEADERS.join(":")
        );
        let mut unsigned = relaxed_header("dkim-signature", value.as_bytes());
        unsigned.truncate(unsigned.len() - 2);
        hashed.extend_from_slice(&unsigned);
        let signature = STANDARD.encode(self.key.sign(&hashed).to_bytes());
        let mut folded = String::new();
        for (index, chunk) in signature.as_bytes().chunks(72).enumerate() {
            if index > 0 {
                folded.push_str("\r\n\t ");
            }
            folded.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        }
        let mut signed = format!("DKIM-Signature: {value}{folded}\r\n").into_bytes();
        signed.extend_from_slice(message);
        signed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relaxed_canonicalization_follows_rfc_6376_examples() {
        // RFC 6376 §3.4.6.
        let message = b"A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n";
        let (headers, body) = split_message(message);
        let canonical: Vec<u8> = headers
            .iter()
            .flat_map(|(name, value)| relaxed_header(name, value))
            .collect();
        assert_eq!(canonical, b"a:X\r\nb:Y Z\r\n");
        assert_eq!(relaxed_body(&message[body..]), b" C\r\nD E\r\n");
        assert_eq!(relaxed_body(b""), b"");
    }
}

//! SMTP replies (RFC 5321 §4.2): a three-digit code on every line, `-` after the code on all
//! lines but the last.

use std::io::{BufRead, Read as _};

/// The longest reply line read (RFC 5321 §4.5.3.1.5 allows 512 octets): a server cannot make
/// tailor buffer without bound, nor fill the ledger with its answers.
const MAX_LINE_BYTES: u64 = 2048;

/// The most lines one reply may have.
const MAX_LINES: usize = 64;

/// One reply, its lines joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The code, such as 250.
    pub code: u16,
    /// The text of every line.
    pub lines: Vec<String>,
}

impl Reply {
    /// Reads one reply; an error when the connection ends or a line is not a reply line.
    pub fn read(reader: &mut impl BufRead) -> std::io::Result<Reply> {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            if reader.by_ref().take(MAX_LINE_BYTES).read_line(&mut line)? == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the server closed the connection",
                ));
            }
            if !line.ends_with('\n') && line.len() as u64 == MAX_LINE_BYTES {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("a reply line longer than {MAX_LINE_BYTES} bytes"),
                ));
            }
            if lines.len() == MAX_LINES {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("a reply of more than {MAX_LINES} lines"),
                ));
            }
            let line = line.trim_end_matches(['\r', '\n']);
            let code = line
                .get(..3)
                .and_then(|c| c.parse::<u16>().ok())
                .filter(|c| (200..600).contains(c))
                .ok_or_else(|| {
                    let shown = crate::diag::excerpt(line, 80);
                    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("not an SMTP reply: `{shown}`"))
                })?;
            let more = line.as_bytes().get(3) == Some(&b'-');
            lines.push(line.get(4..).unwrap_or("").to_string());
            if !more {
                return Ok(Reply { code, lines });
            }
        }
    }

    /// 2xx and 3xx.
    pub fn is_positive(&self) -> bool {
        self.code < 400
    }

    /// 5xx.
    pub fn is_permanent(&self) -> bool {
        self.code >= 500
    }

    /// The reply on one line: `250 2.0.0 Ok: queued`.
    pub fn text(&self) -> String {
        format!("{} {}", self.code, self.lines.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_multi_line_replies() {
        let mut input = &b"250-mx.test\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n550 5.1.1 no\r\n"[..];
        let ehlo = Reply::read(&mut input).unwrap();
        assert_eq!(ehlo.code, 250);
        assert_eq!(ehlo.lines, vec!["mx.test", "PIPELINING", "SMTPUTF8"]);
        let refused = Reply::read(&mut input).unwrap();
        assert!(refused.is_permanent());
        assert_eq!(refused.text(), "550 5.1.1 no");
        assert!(Reply::read(&mut input).is_err());
        assert!(Reply::read(&mut &b"hello\r\n"[..]).is_err());
    }

    #[test]
    fn a_server_cannot_send_endless_replies() {
        let long = format!("250 {}\r\n", "x".repeat(1 << 20));
        assert!(Reply::read(&mut long.as_bytes()).is_err());
        let many = "250-x\r\n".repeat(100_000);
        assert!(Reply::read(&mut many.as_bytes()).is_err());
    }
}

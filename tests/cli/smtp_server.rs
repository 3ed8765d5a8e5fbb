//! SMTP servers for the run tests, on real TCP sockets: an embedded one (mailin-embedded) that
//! accepts everything, and a scripted one that answers each recipient's messages with the
//! codes a test lists, or drops the connection in the middle of DATA.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin_embedded::{response, Handler, Response, Server};

/// The answer of a server that accepts everything.
pub const ACCEPT: Reply = Reply::Code(250, "2.0.0 Ok: queued");

/// A message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// `MAIL FROM`.
    pub from: String,
    /// `RCPT TO` (one per message: tailor sends one recipient per message).
    pub to: String,
    /// The message, as sent after DATA.
    pub data: Vec<u8>,
    /// When its DATA ended (the handoff).
    pub at: std::time::Instant,
}

impl Received {
    /// The value of header `name` (unfolded), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        let message = mail_parser::MessageParser::default().parse(&self.data)?;
        message.header_raw(name).map(|v| v.trim().replace("\r\n", ""))
    }

    /// The Message-ID, with its angle brackets.
    pub fn message_id(&self) -> String {
        self.header("Message-ID").unwrap_or_default()
    }
}

/// Messages received so far, shared with the server threads.
pub type Inbox = Arc<Mutex<Vec<Received>>>;

#[derive(Clone)]
struct Collector {
    inbox: Inbox,
    current: Option<Received>,
    /// The password AUTH PLAIN must give, when the server asks for a login.
    password: Option<String>,
}

impl Handler for Collector {
    fn auth_plain(&mut self, _authorization: &str, _user: &str, password: &str) -> Response {
        if self.password.as_deref() == Some(password) {
            response::AUTH_OK
        } else {
            response::INVALID_CREDENTIALS
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Received {
            from: from.to_string(),
            to: to.join(","),
            data: Vec::new(),
            at: std::time::Instant::now(),
        });
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(current) = &mut self.current {
            current.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(mut done) = self.current.take() {
            done.at = std::time::Instant::now();
            self.inbox.lock().unwrap().push(done);
        }
        response::OK
    }
}

/// Starts an embedded server on a free port; returns the port and its inbox. It serves until
/// the test process ends.
pub fn embedded_server() -> (u16, Inbox) {
    start_embedded(None)
}

/// An embedded server that offers STARTTLS with `cert` and `key` (PEM files) and requires
/// AUTH PLAIN with `password` (mailin offers AUTH only after STARTTLS).
pub fn embedded_tls_server(cert: &std::path::Path, key: &std::path::Path, password: &str) -> (u16, Inbox) {
    start_embedded(Some((cert, key, password)))
}

fn start_embedded(tls: Option<(&std::path::Path, &std::path::Path, &str)>) -> (u16, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    let inbox: Inbox = Arc::default();
    let mut server = Server::new(Collector {
        inbox: Arc::clone(&inbox),
        current: None,
        password: tls.map(|(_, _, password)| password.to_string()),
    });
    server
        .with_name("tests.local")
        .with_num_threads(8)
        .with_tcp_listener(listener);
    if let Some((cert, key, _)) = tls {
        // The test binary links two rustls providers (mailin's and tailor's): pick one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        server
            .with_ssl(mailin_embedded::SslConfig::SelfSigned {
                cert_path: cert.display().to_string(),
                key_path: key.display().to_string(),
            })
            .expect("the test certificate loads")
            .with_auth(mailin_embedded::AuthMechanism::Plain);
    }
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (port, inbox)
}

/// How the scripted server answers one message, at the end of its DATA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A code and text, such as `(250, "2.0.0 Ok")`; 421 also closes the connection.
    Code(u16, &'static str),
    /// Close the connection before the message ends.
    DropMidData,
    /// Accept the message, then close the connection without a word (an idle timeout).
    AcceptThenHangUp,
    /// Take the whole message, then never answer (a server stuck after DATA).
    HangAfterData,
}

/// A scripted SMTP server: each recipient's messages get the replies listed for that address,
/// in order, then 250. It can pause before each answer, so a run is slow enough to be killed
/// in the middle.
#[derive(Clone)]
pub struct ScriptedServer {
    /// The port it listens on.
    pub port: u16,
    /// Accepted messages.
    pub inbox: Inbox,
    /// Messages attempted per recipient (including refused ones).
    pub attempts: Arc<Mutex<HashMap<String, u32>>>,
    /// Every AUTH command received (all are accepted).
    pub logins: Arc<Mutex<Vec<String>>>,
}

struct Script {
    replies: Mutex<HashMap<String, VecDeque<Reply>>>,
    default: Reply,
    delay: Duration,
}

impl ScriptedServer {
    /// Starts a server on a free port that answers `default` once a recipient's list is used up.
    pub fn start(replies: &[(&str, Vec<Reply>)], default: Reply, delay: Duration) -> ScriptedServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().unwrap().port();
        let script = Arc::new(Script {
            replies: Mutex::new(
                replies
                    .iter()
                    .map(|(to, list)| (to.to_string(), list.iter().cloned().collect()))
                    .collect(),
            ),
            default,
            delay,
        });
        let server = ScriptedServer {
            port,
            inbox: Arc::default(),
            attempts: Arc::default(),
            logins: Arc::default(),
        };
        let shared = server.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (script, server) = (Arc::clone(&script), shared.clone());
                std::thread::spawn(move || {
                    let _ = server.session(stream, &script);
                });
            }
        });
        server
    }

    /// Messages accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }

    fn session(&self, stream: TcpStream, script: &Script) -> std::io::Result<()> {
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut writer = stream;
        writer.write_all(b"220 scripted.test ESMTP\r\n")?;
        let (mut from, mut to) = (String::new(), String::new());
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let upper = line.trim_end().to_ascii_uppercase();
            if upper.starts_with("EHLO") {
                writer.write_all(b"250-scripted.test\r\n250-8BITMIME\r\n250-AUTH PLAIN XOAUTH2\r\n250 SMTPUTF8\r\n")?;
            } else if upper.starts_with("AUTH ") {
                self.logins.lock().unwrap().push(line.trim_end().to_string());
                writer.write_all(b"235 2.7.0 Authentication successful\r\n")?;
            } else if upper.starts_with("HELO") {
                writer.write_all(b"250 scripted.test\r\n")?;
            } else if upper.starts_with("MAIL FROM:") {
                from = address_of(&line);
                writer.write_all(b"250 2.1.0 Ok\r\n")?;
            } else if upper.starts_with("RCPT TO:") {
                to = address_of(&line);
                writer.write_all(b"250 2.1.5 Ok\r\n")?;
            } else if upper == "DATA" {
                writer.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
                *self.attempts.lock().unwrap().entry(to.clone()).or_default() += 1;
                let reply = script
                    .replies
                    .lock()
                    .unwrap()
                    .get_mut(&to)
                    .and_then(VecDeque::pop_front)
                    .unwrap_or_else(|| script.default.clone());
                let mut data = Vec::new();
                loop {
                    let mut chunk = Vec::new();
                    if reader.read_until(b'\n', &mut chunk)? == 0 {
                        return Ok(());
                    }
                    if chunk == b".\r\n" {
                        break;
                    }
                    if reply == Reply::DropMidData && data.len() > 200 {
                        // Hang up with the message half read.
                        return Ok(());
                    }
                    let unstuffed = if chunk.starts_with(b"..") {
                        &chunk[1..]
                    } else {
                        &chunk[..]
                    };
                    data.extend_from_slice(unstuffed);
                }
                std::thread::sleep(script.delay);
                match reply {
                    Reply::Code(code, text) => {
                        if code == 250 {
                            self.inbox.lock().unwrap().push(Received {
                                from: from.clone(),
                                to: to.clone(),
                                data,
                                at: std::time::Instant::now(),
                            });
                        }
                        // Refusals name the address, as real servers do.
                        let answer = if code == 250 {
                            format!("{code} {text}\r\n")
                        } else {
                            format!("{code} {text} <{to}>\r\n")
                        };
                        writer.write_all(answer.as_bytes())?;
                        if code == 421 {
                            return Ok(());
                        }
                    }
                    Reply::DropMidData => return Ok(()),
                    Reply::HangAfterData => {
                        self.inbox.lock().unwrap().push(Received {
                            from: from.clone(),
                            to: to.clone(),
                            data,
                            at: std::time::Instant::now(),
                        });
                        // Silent until the client gives up (bounded, so the test ends).
                        std::thread::sleep(Duration::from_secs(30));
                        return Ok(());
                    }
                    Reply::AcceptThenHangUp => {
                        self.inbox.lock().unwrap().push(Received {
                            from: from.clone(),
                            to: to.clone(),
                            data,
                            at: std::time::Instant::now(),
                        });
                        writer.write_all(b"250 2.0.0 Ok: queued\r\n")?;
                        return Ok(());
                    }
                }
            } else if upper == "QUIT" {
                writer.write_all(b"221 2.0.0 Bye\r\n")?;
                return Ok(());
            } else {
                // RSET, NOOP and anything else.
                writer.write_all(b"250 2.0.0 Ok\r\n")?;
            }
        }
    }
}

fn address_of(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line.rfind('>').unwrap_or(line.len());
    line[start..end].to_string()
}

//! Open and click tracking (`tracking:` in the manifest): where `tailor serve` answers, and
//! what is tracked.

/// The manifest's `tracking:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracking {
    /// The public address of `tailor serve` (`https://mail.example.com`), without a trailing
    /// slash; tracking links are `{base_url}/c/...` and the pixel `{base_url}/o/...`.
    pub base_url: String,
    /// Whether HTML messages carry an open pixel.
    pub opens: bool,
    /// Whether links in HTML messages are rewritten to signed click links.
    pub clicks: bool,
}

//! The buckets every audience member lands in (SPEC §5), used by plan, run, test and report.

use std::fmt;

/// Where a profile of a campaign's audience ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bucket {
    /// Fails `policy.consent`.
    Consent,
    /// On the suppression list.
    Suppressed,
    /// The email address is not valid.
    BadAddress,
    /// Another profile with the same address gets it.
    DuplicateAddress,
    /// Randomly held out as the control.
    Holdout,
    /// Held back by the frequency cap.
    FrequencyCap,
    /// Deferred by quiet hours.
    QuietHours,
    /// This occurrence was already sent.
    AlreadySent,
    /// The schedule or trigger is not due yet.
    NotDue,
    /// Sent now.
    Due,
}

impl Bucket {
    /// Every bucket, in pipeline order.
    pub const ALL: [Bucket; 10] = [
        Bucket::Consent,
        Bucket::Suppressed,
        Bucket::BadAddress,
        Bucket::DuplicateAddress,
        Bucket::Holdout,
        Bucket::FrequencyCap,
        Bucket::QuietHours,
        Bucket::AlreadySent,
        Bucket::NotDue,
        Bucket::Due,
    ];

    /// The buckets a member is left out in before the split, in pipeline order.
    pub const LEFT_OUT: [Bucket; 4] = [
        Bucket::Consent,
        Bucket::Suppressed,
        Bucket::BadAddress,
        Bucket::DuplicateAddress,
    ];

    /// The buckets that hold back a variant's member, as plans show them.
    pub const HELD: [Bucket; 4] = [
        Bucket::NotDue,
        Bucket::AlreadySent,
        Bucket::QuietHours,
        Bucket::FrequencyCap,
    ];

    /// The bucket's name as used everywhere.
    pub fn name(self) -> &'static str {
        match self {
            Bucket::Consent => "consent",
            Bucket::Suppressed => "suppressed",
            Bucket::BadAddress => "bad_address",
            Bucket::DuplicateAddress => "duplicate_address",
            Bucket::Holdout => "holdout",
            Bucket::FrequencyCap => "frequency_cap",
            Bucket::QuietHours => "quiet_hours",
            Bucket::AlreadySent => "already_sent",
            Bucket::NotDue => "not_due",
            Bucket::Due => "due",
        }
    }

    /// The bucket called `name`.
    pub fn from_name(name: &str) -> Option<Bucket> {
        Bucket::ALL.into_iter().find(|b| b.name() == name)
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

//! ISO 4217: the currency codes in use and the digits after their decimal mark.
//!
//! The list is ISO 4217's List One of active codes (funds and precious metals left out), so a
//! misspelling such as `EURO` or `UKP` is caught where a campaign is checked, not in an email.

/// Codes with no minor unit.
const NO_DECIMALS: [&str; 16] = [
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF",
];

/// Codes with three digits after the decimal mark.
const THREE_DECIMALS: [&str; 7] = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

/// Every active code, sorted.
const CODES: [&str; 157] = [
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF", "BMD",
    "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP",
    "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD",
    "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN",
    "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB",
    "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL",
    "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYI", "UYU", "UZS", "VED",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// Whether `code` (upper case) is an active ISO 4217 currency code.
pub fn is_currency_code(code: &str) -> bool {
    CODES.binary_search(&code).is_ok()
}

/// The digits after the decimal mark in amounts of `code` (2 for a code this list lacks).
pub fn minor_digits(code: &str) -> usize {
    if NO_DECIMALS.contains(&code) {
        0
    } else if THREE_DECIMALS.contains(&code) {
        3
    } else {
        2
    }
}

/// Every active code, for suggestions.
pub fn currency_codes() -> &'static [&'static str] {
    &CODES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_knows_the_usual_codes() {
        assert!(CODES.windows(2).all(|w| w[0] < w[1]));
        for code in ["USD", "EUR", "GBP", "JPY", "CHF", "KWD"] {
            assert!(is_currency_code(code), "{code}");
        }
        for code in ["EURO", "UKP", "usd", "XXX"] {
            assert!(!is_currency_code(code), "{code}");
        }
        assert!(NO_DECIMALS.iter().chain(&THREE_DECIMALS).all(|c| is_currency_code(c)));
        assert_eq!(
            (minor_digits("JPY"), minor_digits("KWD"), minor_digits("EUR")),
            (0, 3, 2)
        );
    }
}

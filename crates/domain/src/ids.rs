//! Chinese identifiers: the unified social credit code (GB 32100-2015), the
//! organisation code inside it (GB 11714-1997) and the resident identity
//! number (GB 11643-1999). Parsing normalises and validates; the `*_with_check`
//! helpers build valid numbers for demo data.

use crate::error::ErrorCode;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why an identifier was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    Empty,
    Length,
    Charset,
    CheckCharacter,
    BirthDate,
    OrgCode,
}

impl IdError {
    /// Stable machine-readable code; safe to store and match on.
    pub fn code(&self) -> ErrorCode {
        match self {
            IdError::Empty => ErrorCode::Empty,
            IdError::Length => ErrorCode::WrongLength,
            IdError::Charset => ErrorCode::InvalidCharacter,
            IdError::CheckCharacter => ErrorCode::CheckCharacterMismatch,
            IdError::BirthDate => ErrorCode::InvalidBirthDate,
            IdError::OrgCode => ErrorCode::InvalidOrganisationCode,
        }
    }

    pub fn message_zh(&self) -> &'static str {
        match self {
            IdError::Empty => "号码不能为空",
            IdError::Length => "号码长度不正确",
            IdError::Charset => "号码包含无效字符",
            IdError::CheckCharacter => "校验码不正确",
            IdError::BirthDate => "出生日期无效",
            IdError::OrgCode => "组织机构代码部分不正确",
        }
    }

    pub fn message_en(&self) -> &'static str {
        match self {
            IdError::Empty => "the number is empty",
            IdError::Length => "the number has the wrong length",
            IdError::Charset => "the number contains an invalid character",
            IdError::CheckCharacter => "the check character is wrong",
            IdError::BirthDate => "the birth date is not a valid date",
            IdError::OrgCode => "the organisation code part is invalid",
        }
    }
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message_en())
    }
}

impl std::error::Error for IdError {}

// ---------------------------------------------------------------------------
// Unified social credit code
// ---------------------------------------------------------------------------

/// GB 32100 alphabet: I, O, S, V, Z are left out to avoid confusion with digits.
const USCC_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// 3^i mod 31 for positions 1..=17.
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
const USCC_LEN: usize = 18;

fn uscc_value(c: u8) -> Option<u32> {
    USCC_CHARSET.iter().position(|&b| b == c).map(|i| i as u32)
}

/// Caller guarantees every byte is in the charset.
fn uscc_check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17.iter().zip(USCC_WEIGHTS).map(|(&c, w)| uscc_value(c).unwrap_or(0) * w).sum();
    let check = (31 - sum % 31) % 31;
    USCC_CHARSET[check as usize]
}

/// GB 11714 values: digits as themselves, letters A=10 … Z=35.
fn org_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

fn org_check_char(body: &[u8]) -> Option<u8> {
    if body.len() != ORG_WEIGHTS.len() {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in body.iter().zip(ORG_WEIGHTS) {
        sum += org_value(c)? * w;
    }
    Some(match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        n => b'0' + n as u8,
    })
}

fn normalise(input: &str) -> String {
    input.trim().to_ascii_uppercase()
}

/// Appends the GB 32100 check character to a 17-character prefix.
/// Only the alphabet is checked, not the division or organisation code, so
/// tests can build otherwise-broken codes with a correct check character.
pub fn uscc_with_check(first17: &str) -> Option<String> {
    let s = normalise(first17);
    let bytes = s.as_bytes();
    if bytes.len() != USCC_LEN - 1 || !bytes.iter().all(|&c| uscc_value(c).is_some()) {
        return None;
    }
    let check = uscc_check_char(bytes);
    let mut out = s;
    out.push(char::from(check));
    Some(out)
}

/// Appends the GB 11714 check character to an 8-character body (digits, A–Z).
pub fn org_code_with_check(first8: &str) -> Option<String> {
    let s = normalise(first8);
    let check = org_check_char(s.as_bytes())?;
    let mut out = s;
    out.push(char::from(check));
    Some(out)
}

/// 统一社会信用代码: 18 characters, always stored normalised (uppercase).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

impl Uscc {
    pub fn parse(input: &str) -> Result<Uscc, IdError> {
        let s = normalise(input);
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        if s.chars().count() != USCC_LEN {
            return Err(IdError::Length);
        }
        let bytes = s.as_bytes();
        // Non-ASCII input has more bytes than chars and fails here too.
        if bytes.len() != USCC_LEN || !bytes.iter().all(|&c| uscc_value(c).is_some()) {
            return Err(IdError::Charset);
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(IdError::Charset);
        }
        if org_check_char(&bytes[8..16]) != Some(bytes[16]) {
            return Err(IdError::OrgCode);
        }
        if uscc_check_char(&bytes[..17]) != bytes[17] {
            return Err(IdError::CheckCharacter);
        }
        Ok(Uscc(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Positions 3–8: administrative division code of the registering authority.
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17: the GB 11714 organisation code, check character included.
    pub fn org_code(&self) -> &str {
        &self.0[8..17]
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Uscc {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

impl Serialize for Uscc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Uscc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Uscc::parse(&raw).map_err(|e| serde::de::Error::custom(e.code()))
    }
}

// ---------------------------------------------------------------------------
// Resident identity number
// ---------------------------------------------------------------------------

const RESIDENT_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const RESIDENT_CHECK: &[u8; 11] = b"10X98765432";
const RESIDENT_LEN: usize = 18;

/// Caller guarantees 17 ASCII digits.
fn resident_check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17.iter().zip(RESIDENT_WEIGHTS).map(|(&c, w)| u32::from(c - b'0') * w).sum();
    RESIDENT_CHECK[(sum % 11) as usize]
}

fn is_leap_year(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn digits_value(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |acc, &c| acc * 10 + u32::from(c - b'0'))
}

/// Caller guarantees 8 ASCII digits (YYYYMMDD).
fn parse_birth_date(digits: &[u8]) -> Option<(u32, u32, u32)> {
    let year = digits_value(&digits[0..4]);
    let month = digits_value(&digits[4..6]);
    let day = digits_value(&digits[6..8]);
    let valid =
        (1900..=2100).contains(&year) && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
    valid.then_some((year, month, day))
}

/// Appends the GB 11643 check character to 17 digits.
/// The birth date is not checked, so tests can build invalid-date numbers.
pub fn resident_id_with_check(first17: &str) -> Option<String> {
    let s = first17.trim();
    let bytes = s.as_bytes();
    if bytes.len() != RESIDENT_LEN - 1 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut out = s.to_owned();
    out.push(char::from(resident_check_char(bytes)));
    Some(out)
}

/// 居民身份证号码. Personal data: `Debug` shows only the masked form, and there
/// is deliberately no `Display` or `Serialize`, so it has to be masked or
/// encrypted explicitly before it leaves the process.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResidentId(String);

impl ResidentId {
    pub fn parse(input: &str) -> Result<ResidentId, IdError> {
        let s = normalise(input);
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        if s.chars().count() != RESIDENT_LEN {
            return Err(IdError::Length);
        }
        let bytes = s.as_bytes();
        if bytes.len() != RESIDENT_LEN
            || !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(IdError::Charset);
        }
        if parse_birth_date(&bytes[6..14]).is_none() {
            return Err(IdError::BirthDate);
        }
        if resident_check_char(&bytes[..17]) != bytes[17] {
            return Err(IdError::CheckCharacter);
        }
        Ok(ResidentId(s))
    }

    /// The full number. Handle with care: this is personal data.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// First 3 and last 2 characters kept, the 13 in between replaced by '*'.
    pub fn masked(&self) -> String {
        let mut out = String::with_capacity(RESIDENT_LEN);
        out.push_str(&self.0[..3]);
        out.push_str(&"*".repeat(RESIDENT_LEN - 5));
        out.push_str(&self.0[RESIDENT_LEN - 2..]);
        out
    }

    /// (year, month, day) from positions 7–14.
    pub fn birth_date(&self) -> (u32, u32, u32) {
        parse_birth_date(&self.0.as_bytes()[6..14]).expect("validated in parse")
    }
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ResidentId").field(&self.masked()).finish()
    }
}

impl FromStr for ResidentId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResidentId::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_ERRORS: [IdError; 6] = [
        IdError::Empty,
        IdError::Length,
        IdError::Charset,
        IdError::CheckCharacter,
        IdError::BirthDate,
        IdError::OrgCode,
    ];

    // ---- IdError ----

    #[test]
    fn error_codes_are_stable() {
        let codes: Vec<_> = ALL_ERRORS.iter().map(IdError::code).collect();
        assert_eq!(
            codes,
            [
                ErrorCode::Empty,
                ErrorCode::WrongLength,
                ErrorCode::InvalidCharacter,
                ErrorCode::CheckCharacterMismatch,
                ErrorCode::InvalidBirthDate,
                ErrorCode::InvalidOrganisationCode,
            ]
        );
    }

    #[test]
    fn error_messages_present_and_distinct() {
        for (i, a) in ALL_ERRORS.iter().enumerate() {
            assert!(!a.message_zh().is_empty());
            assert!(!a.message_en().is_empty());
            assert_eq!(a.to_string(), a.message_en());
            for b in &ALL_ERRORS[i + 1..] {
                assert_ne!(a.message_zh(), b.message_zh());
                assert_ne!(a.message_en(), b.message_en());
            }
        }
        assert_eq!(IdError::CheckCharacter.message_zh(), "校验码不正确");
        assert_eq!(IdError::CheckCharacter.message_en(), "the check character is wrong");
    }

    // ---- USCC ----

    #[test]
    fn uscc_weights_are_powers_of_three_mod_31() {
        let mut w = 1;
        for expected in USCC_WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }

    #[test]
    fn uscc_charset_excludes_confusable_letters() {
        assert_eq!(USCC_CHARSET.len(), 31);
        for c in b"IOSVZ" {
            assert!(uscc_value(*c).is_none());
        }
    }

    #[test]
    fn uscc_known_valid_codes() {
        for code in [
            "91350100M000100Y43", // GB 32100 example
            "914403001922038216",
            "91110108551385082Q",
            "91330100716105852F",
            "91110000802100433B",
            "911100001000054748",
        ] {
            let u = Uscc::parse(code).unwrap_or_else(|e| panic!("{code}: {e:?}"));
            assert_eq!(u.as_str(), code);
            assert_eq!(uscc_with_check(&code[..17]).as_deref(), Some(code));
        }
    }

    #[test]
    fn uscc_parts() {
        let u = Uscc::parse("91350100M000100Y43").unwrap();
        assert_eq!(u.division_code(), "350100");
        assert_eq!(u.org_code(), "M000100Y4");
    }

    #[test]
    fn uscc_built_with_helpers_parses() {
        let org = org_code_with_check("MA5D1234").unwrap();
        assert_eq!(org, "MA5D12340");
        let code = uscc_with_check(&format!("52440300{org}")).unwrap();
        assert_eq!(code.len(), 18);
        assert_eq!(Uscc::parse(&code).unwrap().as_str(), code);

        for body in ["12345670", "12345671", "12345677", "MA5D1213", "MA5D1299"] {
            let org = org_code_with_check(body).unwrap();
            let code = uscc_with_check(&format!("91110105{org}")).unwrap();
            assert!(Uscc::parse(&code).is_ok(), "{code}");
        }
    }

    #[test]
    fn uscc_check_value_31_maps_to_zero() {
        // Varying the first character (weight 1) hits every residue once.
        let rest = "1350100M000100Y4";
        let hits: Vec<String> = USCC_CHARSET
            .iter()
            .map(|&c| uscc_with_check(&format!("{}{rest}", char::from(c))).unwrap())
            .filter(|code| code.ends_with('0'))
            .collect();
        assert_eq!(hits.len(), 1);
        assert!(Uscc::parse(&hits[0]).is_ok());
    }

    #[test]
    fn uscc_normalises_case_and_whitespace() {
        let u = Uscc::parse("  91350100m000100y43\n").unwrap();
        assert_eq!(u.as_str(), "91350100M000100Y43");
        let u = Uscc::parse("\u{3000}91350100M000100Y43\t").unwrap();
        assert_eq!(u.as_str(), "91350100M000100Y43");
    }

    #[test]
    fn uscc_empty() {
        assert_eq!(Uscc::parse(""), Err(IdError::Empty));
        assert_eq!(Uscc::parse("  \t "), Err(IdError::Empty));
    }

    #[test]
    fn uscc_wrong_length() {
        assert_eq!(Uscc::parse("91350100M000100Y4"), Err(IdError::Length));
        assert_eq!(Uscc::parse("91350100M000100Y433"), Err(IdError::Length));
        assert_eq!(Uscc::parse("统一社会信用代码"), Err(IdError::Length));
    }

    #[test]
    fn uscc_invalid_character() {
        for bad in [
            "91350100I000100Y43",
            "91350100O000100Y43",
            "91350100S000100Y43",
            "91350100V000100Y43",
            "91350100Z000100Y43",
            "91350100-000100Y43",
            "9135010０M000100Y43", // full-width digit: 18 chars, not ASCII
        ] {
            assert_eq!(Uscc::parse(bad), Err(IdError::Charset), "{bad}");
        }
    }

    #[test]
    fn uscc_division_code_must_be_digits() {
        let code = uscc_with_check("91AB0100M000100Y4").unwrap();
        assert_eq!(Uscc::parse(&code), Err(IdError::Charset));
    }

    #[test]
    fn uscc_check_character_mismatch() {
        assert_eq!(Uscc::parse("91350100M000100Y44"), Err(IdError::CheckCharacter));
        assert_eq!(Uscc::parse("92350100M000100Y43"), Err(IdError::CheckCharacter));
    }

    #[test]
    fn uscc_bad_org_code_with_good_outer_check() {
        // Org check should be 4; force 5 and give the whole code a valid check.
        let code = uscc_with_check("91350100M000100Y5").unwrap();
        assert_eq!(Uscc::parse(&code), Err(IdError::OrgCode));
    }

    #[test]
    fn uscc_display_and_from_str() {
        let u: Uscc = "91350100m000100y43".parse().unwrap();
        assert_eq!(u.to_string(), "91350100M000100Y43");
        assert_eq!("x".parse::<Uscc>(), Err(IdError::Length));
    }

    #[test]
    fn uscc_serde_round_trip() {
        let u = Uscc::parse("91350100M000100Y43").unwrap();
        let json = serde_json::to_string(&u).unwrap();
        assert_eq!(json, "\"91350100M000100Y43\"");
        let back: Uscc = serde_json::from_str(&json).unwrap();
        assert_eq!(back, u);
        let lower: Uscc = serde_json::from_str("\" 91350100m000100y43 \"").unwrap();
        assert_eq!(lower, u);
    }

    #[test]
    fn uscc_deserialize_validates() {
        let err = serde_json::from_str::<Uscc>("\"91350100M000100Y44\"").unwrap_err();
        assert!(err.to_string().contains("check_character_mismatch"), "{err}");
        assert!(serde_json::from_str::<Uscc>("\"\"").is_err());
        assert!(serde_json::from_str::<Uscc>("42").is_err());
    }

    #[test]
    fn org_code_helper() {
        assert_eq!(org_code_with_check("M000100Y").as_deref(), Some("M000100Y4"));
        // Remainder paths 10 -> 'X' and 11 -> '0'.
        assert_eq!(org_code_with_check("12345677").as_deref(), Some("12345677X"));
        assert_eq!(org_code_with_check("12345671").as_deref(), Some("123456710"));
        assert_eq!(org_code_with_check("m000100y").as_deref(), Some("M000100Y4"));
        assert_eq!(org_code_with_check("1234567"), None);
        assert_eq!(org_code_with_check("123456789"), None);
        assert_eq!(org_code_with_check("1234-567"), None);
        assert_eq!(org_code_with_check("1234567é"), None);
    }

    #[test]
    fn uscc_helper_rejects_bad_input() {
        assert_eq!(uscc_with_check("91350100M000100Y"), None);
        assert_eq!(uscc_with_check("91350100M000100Y43"), None);
        assert_eq!(uscc_with_check("91350100I000100Y4"), None);
        assert_eq!(uscc_with_check("91350100m000100y4").as_deref(), Some("91350100M000100Y43"));
    }

    // ---- Resident identity number ----

    const SAMPLE_ID: &str = "11010519491231002X";

    #[test]
    fn resident_id_standard_sample() {
        let id = ResidentId::parse(SAMPLE_ID).unwrap();
        assert_eq!(id.as_str(), SAMPLE_ID);
        assert_eq!(id.birth_date(), (1949, 12, 31));
        assert_eq!(resident_id_with_check("11010519491231002").as_deref(), Some(SAMPLE_ID));
    }

    #[test]
    fn resident_id_lowercase_x_and_whitespace() {
        let id = ResidentId::parse(" 11010519491231002x\n").unwrap();
        assert_eq!(id.as_str(), SAMPLE_ID);
        let id: ResidentId = "\u{3000}11010519491231002x".parse().unwrap();
        assert_eq!(id.as_str(), SAMPLE_ID);
    }

    #[test]
    fn resident_id_every_check_value() {
        // Sweeping the sequence number covers all 11 remainders.
        let mut seen = std::collections::HashSet::new();
        for seq in 0..200 {
            let id = resident_id_with_check(&format!("42010619850615{seq:03}")).unwrap();
            seen.insert(id.as_bytes()[17]);
            assert!(ResidentId::parse(&id).is_ok(), "{id}");
        }
        assert_eq!(seen.len(), 11);
    }

    #[test]
    fn resident_id_leap_days() {
        for date in ["20000229", "19040229", "20960229", "19000101", "21001231"] {
            let id = resident_id_with_check(&format!("420106{date}001")).unwrap();
            assert!(ResidentId::parse(&id).is_ok(), "{date}");
        }
    }

    #[test]
    fn resident_id_invalid_birth_dates() {
        // 1900 and 2100 are not leap years.
        for date in [
            "19000229", "21000229", "20230229", "19490230", "19490431", "19490100", "19490001", "19491301", "18991231",
            "21010101",
        ] {
            let id = resident_id_with_check(&format!("420106{date}001")).unwrap();
            assert_eq!(ResidentId::parse(&id), Err(IdError::BirthDate), "{date}");
        }
    }

    #[test]
    fn resident_id_empty() {
        assert_eq!(ResidentId::parse(""), Err(IdError::Empty));
        assert_eq!(ResidentId::parse("   "), Err(IdError::Empty));
    }

    #[test]
    fn resident_id_wrong_length() {
        assert_eq!(ResidentId::parse("11010519491231002"), Err(IdError::Length));
        assert_eq!(ResidentId::parse("11010519491231002X0"), Err(IdError::Length));
        // Old 15-digit numbers are not accepted.
        assert_eq!(ResidentId::parse("110105491231002"), Err(IdError::Length));
    }

    #[test]
    fn resident_id_invalid_character() {
        for bad in [
            "1101051949123100XX",
            "11010519491231002Y",
            "A1010519491231002X",
            "110105-9491231002X",
            "1101051949123100２X", // full-width digit
        ] {
            assert_eq!(ResidentId::parse(bad), Err(IdError::Charset), "{bad}");
        }
    }

    #[test]
    fn resident_id_check_character_mismatch() {
        assert_eq!(ResidentId::parse("110105194912310021"), Err(IdError::CheckCharacter));
        assert_eq!(ResidentId::parse("11010519491231003X"), Err(IdError::CheckCharacter));
    }

    #[test]
    fn resident_id_helper_rejects_bad_input() {
        assert_eq!(resident_id_with_check("1101051949123100"), None);
        assert_eq!(resident_id_with_check("110105194912310021"), None);
        assert_eq!(resident_id_with_check("1101051949123100X"), None);
    }

    #[test]
    fn resident_id_masked() {
        let id = ResidentId::parse(SAMPLE_ID).unwrap();
        let masked = id.masked();
        assert_eq!(masked, "110*************2X");
        assert_eq!(masked.chars().count(), 18);
        assert_eq!(masked.matches('*').count(), 13);
    }

    #[test]
    fn resident_id_debug_does_not_leak() {
        let id = ResidentId::parse(SAMPLE_ID).unwrap();
        let debug = format!("{id:?}");
        assert_eq!(debug, "ResidentId(\"110*************2X\")");
        assert!(!debug.contains(SAMPLE_ID));
        assert!(!debug.contains("19491231"));
        let pretty = format!("{:#?}", Some(&id));
        assert!(!pretty.contains("19491231"));
        // Also through containers and results.
        let res: Result<ResidentId, IdError> = Ok(id);
        assert!(!format!("{res:?}").contains("1949"));
    }
}

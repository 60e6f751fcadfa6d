//! Properties of the value objects' parsers over generated input: no input
//! of any kind makes a parser panic, every valid value parses and survives
//! its JSON round trip unchanged, and a wrong check character is always
//! caught.

use labex_domain::value::{
    CreditCode, Description, DivisionCode, Education, JobSeekerCategory, Label, MobilePhone, Note,
    OrganisationName, PersonName, ResidentId, SalaryRange, Title,
};
use proptest::prelude::*;

/// GB 11643: the check character of seventeen digits.
fn resident_id_check(digits: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = digits
        .bytes()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    b"10X98765432"[(sum % 11) as usize] as char
}

/// GB 32100: the check character of seventeen code characters.
fn credit_code_check(base: &str) -> char {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: u32 = base
        .bytes()
        .zip(WEIGHTS)
        .map(|(byte, weight)| {
            let value = ALPHABET.iter().position(|&symbol| symbol == byte).unwrap() as u32;
            value * weight
        })
        .sum();
    ALPHABET[((31 - sum % 31) % 31) as usize] as char
}

/// Seventeen digits of a resident born 1950–2005 in a district of Henan.
fn resident_digits() -> impl Strategy<Value = String> {
    (
        1_u32..=99,
        1950_u32..=2005,
        1_u32..=12,
        1_u32..=28,
        0_u32..1000,
    )
        .prop_map(|(district, year, month, day, serial)| {
            format!("4101{district:02}{year}{month:02}{day:02}{serial:03}")
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_text_makes_a_parser_panic(text in any::<String>()) {
        let _ = ResidentId::parse(&text);
        let _ = CreditCode::parse(&text);
        let _ = DivisionCode::parse(&text);
        let _ = MobilePhone::parse(&text);
        let _ = Education::parse(&text);
        let _ = JobSeekerCategory::parse(&text);
        let _ = PersonName::parse(&text);
        let _ = Label::parse(&text);
        let _ = Title::parse(&text);
        let _ = Description::parse(&text);
        let _ = Note::parse(&text);
        let _ = OrganisationName::parse(&text);
    }

    #[test]
    fn code_shaped_text_never_makes_a_parser_panic(text in "[0-9A-Za-z]{0,24}") {
        let _ = ResidentId::parse(&text);
        let _ = CreditCode::parse(&text);
        let _ = DivisionCode::parse(&text);
        let _ = MobilePhone::parse(&text);
    }

    #[test]
    fn every_valid_resident_id_parses_and_round_trips(digits in resident_digits()) {
        let number = format!("{digits}{}", resident_id_check(&digits));
        let parsed = ResidentId::parse(&number).expect("a valid number parses");
        prop_assert_eq!(parsed.as_str(), number.as_str());
        let json = serde_json::to_string(&parsed).unwrap();
        let back: ResidentId = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, parsed);
    }

    #[test]
    fn a_wrong_check_character_is_always_caught(digits in resident_digits(), wrong in "[0-9X]") {
        let right = resident_id_check(&digits);
        let wrong = wrong.chars().next().unwrap();
        prop_assume!(wrong != right);
        let number = format!("{digits}{wrong}");
        prop_assert!(ResidentId::parse(&number).is_err());
    }

    #[test]
    fn every_valid_credit_code_parses(
        serial in "[0-9ABCDEFGHJKLMNPQRTUWXY]{9}",
        district in 1_u32..=99,
    ) {
        let base = format!("914101{district:02}{serial}");
        let code = format!("{base}{}", credit_code_check(&base));
        let parsed = CreditCode::parse(&code);
        prop_assert!(parsed.is_ok(), "{}: {:?}", code, parsed);
        let parsed = parsed.unwrap();
        prop_assert_eq!(parsed.as_str(), code.as_str());
    }

    #[test]
    fn salary_ranges_hold_only_when_ordered(low in 0_u32..200_000, high in 0_u32..200_000) {
        match SalaryRange::parse(low, high) {
            Ok(range) => {
                prop_assert!(low <= high);
                prop_assert_eq!((range.min_yuan(), range.max_yuan()), (low, high));
            }
            Err(_) => prop_assert!(low > high || high > labex_domain::value::SALARY_CAP_YUAN),
        }
    }
}

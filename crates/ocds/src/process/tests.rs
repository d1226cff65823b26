use super::*;

#[test]
fn amounts_are_written_as_the_exact_yuan_amount() {
    let mut fen = 1i64;
    // Every magnitude up to a trillion yuan, and the cents that round badly in binary.
    while fen < 100_000_000_000_000 {
        for extra in [0, 1, 3, 7, 10, 29, 33, 49, 50, 99] {
            let m = Money::from_fen(fen + extra);
            let text = serde_json::to_string(&value(m)["amount"]).unwrap();
            let expected = m.yuan_string();
            let expected = expected.trim_end_matches('0').trim_end_matches('.');
            let text = text.strip_suffix(".0").unwrap_or(&text);
            assert_eq!(text, expected, "{} fen", m.fen());
        }
        fen = fen * 7 + 3;
    }
}

#[test]
fn an_ocid_names_its_project_code_under_the_publisher_prefix() {
    let p = Publisher { prefix: "ocds-sz0001".into(), name: "x".into(), base_url: "https://x.cn".into() };
    assert_eq!(p.ocid("SZ-2026-00007"), "ocds-sz0001-SZ-2026-00007");
    assert_eq!(p.code_of("ocds-sz0001-SZ-2026-00007"), Some("SZ-2026-00007"));
    for other in ["ocds-sz0002-SZ-2026-00007", "ocds-sz0001", "ocds-sz0001-", "SZ-2026-00007"] {
        assert_eq!(p.code_of(other), None, "{other}");
    }
}

#[test]
fn release_ids_name_their_source() {
    assert_eq!(Source::Notice(12).release_id(), "notice-12");
    assert_eq!(Source::Payment(0).release_id(), "payment-1");
    assert_eq!(Source::Cancellation.release_id(), "cancellation");
    assert_eq!(Source::Termination.release_id(), "termination");
}

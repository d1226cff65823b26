//! `shanzhi calendar`: the working-day calendar on the command line. No server or database needed.

use crate::helpers::temp_dir;
use std::path::Path;
use std::process::Command;

fn calendar(data: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shanzhi"))
        .arg("--data")
        .arg(data)
        .arg("calendar")
        .args(args)
        .env("SHANZHI_LOG", "error")
        .output()
        .expect("run shanzhi");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn line<'a>(out: &'a str, date: &str) -> &'a str {
    out.lines().find(|l| l.starts_with(date)).unwrap_or_else(|| panic!("no line for {date}"))
}

#[test]
fn calendar_prints_one_line_per_day_of_an_official_year() {
    let data = temp_dir();
    let (code, out, err) = calendar(&data, &["2026"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 365);
    assert_eq!(out.lines().next(), Some("2026-01-01 restday 元旦"));
    assert_eq!(out.lines().last(), Some("2026-12-31 workday"));
    assert_eq!(line(&out, "2026-01-04"), "2026-01-04 workday", "an adjusted Sunday");
    assert_eq!(line(&out, "2026-02-17"), "2026-02-17 restday 春节");
    assert_eq!(line(&out, "2026-03-07"), "2026-03-07 restday", "a plain Saturday");
    assert_eq!(line(&out, "2026-10-10"), "2026-10-10 workday");
    // Official years carry no flag, with or without --provisional.
    let (code, flagged, _) = calendar(&data, &["2026", "--provisional"]);
    assert_eq!(code, 0);
    assert_eq!(flagged, out);
    assert!(!out.contains("provisional"));
    let (code, out, _) = calendar(&data, &["2024"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 366);
}

#[test]
fn calendar_add_counts_working_days() {
    let data = temp_dir();
    let (code, out, err) = calendar(&data, &["add", "2025-09-30", "7"]);
    assert_eq!((code, out.trim()), (0, "2025-10-16"), "{err}");
    let (code, out, _) = calendar(&data, &["add", "2026-01-30", "15"]);
    assert_eq!((code, out.trim()), (0, "2026-02-27"));
    // Into a year without official data: refused, or provisional when asked.
    let (code, _, err) = calendar(&data, &["add", "2026-12-24", "10"]);
    assert_ne!(code, 0);
    assert!(err.contains("2027") && err.contains("calendar/2027.json"), "{err}");
    let (code, out, err) = calendar(&data, &["add", "2026-12-24", "10", "--provisional"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.trim().starts_with("2027-01-") && out.trim().ends_with(" provisional"), "{out}");
}

#[test]
fn calendar_bad_input_names_the_argument() {
    let data = temp_dir();
    for (args, name) in [
        (&["add", "2025-09-30", "0"][..], "for '<N>'"),
        (&["add", "2025-09-30", "seven"][..], "for '<N>'"),
        (&["add", "2025-02-30", "7"][..], "for '<DATE>'"),
        (&["add", "30/09/2025", "7"][..], "for '<DATE>'"),
        (&["twenty"][..], "for '[YEAR]'"),
        (&[][..], "YEAR:"),
    ] {
        let (code, out, err) = calendar(&data, args);
        assert_ne!(code, 0, "{args:?}");
        assert!(out.is_empty() && err.contains(name), "{args:?}: {err}");
    }
}

#[test]
fn calendar_missing_year_fails_with_the_hint() {
    let data = temp_dir();
    let (code, out, err) = calendar(&data, &["2030"]);
    assert_ne!(code, 0);
    assert!(out.is_empty());
    let path = data.join("calendar").join("2030.json");
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("\"holidays\"") && err.contains("\"workdays\"") && err.contains("--provisional"), "{err}");
    let (code, _, err) = calendar(&data, &["2150", "--provisional"]);
    assert_ne!(code, 0);
    assert!(err.contains("2025–2100"), "{err}");
}

#[test]
fn calendar_provisional_year_flags_every_line() {
    let data = temp_dir();
    let (code, out, err) = calendar(&data, &["2030", "--provisional"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 365);
    assert!(out.lines().all(|l| l.ends_with(" provisional")), "{out}");
    // 春节 2030 is on 3 February: 除夕 (2 Feb) to 初三 (5 Feb).
    for date in ["2030-02-02", "2030-02-03", "2030-02-04", "2030-02-05"] {
        assert_eq!(line(&out, date), format!("{date} restday 春节 provisional"));
    }
    assert_eq!(line(&out, "2030-02-01"), "2030-02-01 workday provisional");
    assert_eq!(line(&out, "2030-02-06"), "2030-02-06 workday provisional");
    assert_eq!(line(&out, "2030-10-03"), "2030-10-03 restday 国庆节 provisional");
    assert_eq!(line(&out, "2030-10-04"), "2030-10-04 workday provisional", "no adjusted days, no bridge");
    assert_eq!(out.lines().filter(|l| l.split(' ').count() == 4).count(), 13, "13 statutory days");
}

const YEAR_2027: &str = r#"{
  "year": 2027,
  "source": "a notice typed for this test",
  "holidays": [
    {"name": "元旦", "days": ["2027-01-01", "2027-01-02", "2027-01-03"]},
    {"name": "春节", "days": ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09"]}
  ],
  "workdays": ["2027-02-20"]
}"#;

#[test]
fn calendar_year_file_in_the_data_folder_is_used() {
    let data = temp_dir();
    std::fs::create_dir_all(data.join("calendar")).unwrap();
    std::fs::write(data.join("calendar").join("2027.json"), YEAR_2027).unwrap();
    let (code, out, err) = calendar(&data, &["2027", "--provisional"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("provisional"), "official now: {out}");
    assert_eq!(line(&out, "2027-01-02"), "2027-01-02 restday 元旦");
    assert_eq!(line(&out, "2027-02-09"), "2027-02-09 restday 春节");
    assert_eq!(line(&out, "2027-02-20"), "2027-02-20 workday");
    let (code, out, _) = calendar(&data, &["add", "2027-02-04", "1"]);
    assert_eq!((code, out.trim()), (0, "2027-02-10"));
    let (code, out, _) = calendar(&data, &["add", "2026-12-24", "10"]);
    assert_eq!(code, 0);
    assert!(!out.contains("provisional"), "{out}");
}

#[test]
fn calendar_bad_year_file_is_refused_naming_the_field() {
    let data = temp_dir();
    let dir = data.join("calendar");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("2027.json");
    std::fs::write(&file, YEAR_2027.replace("2027-02-06", "2027-02-30")).unwrap();
    let (code, _, err) = calendar(&data, &["2027"]);
    assert_ne!(code, 0);
    assert!(err.contains("2027.json") && err.contains("holidays[1].days[1]") && err.contains("2027-02-30"), "{err}");
    std::fs::write(&file, YEAR_2027.replace("\"workdays\"", "\"work_days\"")).unwrap();
    let (code, _, err) = calendar(&data, &["add", "2025-09-30", "7"]);
    assert_ne!(code, 0, "a broken year file stops every calendar command");
    assert!(err.contains("work_days") && err.contains("unknown key"), "{err}");
    std::fs::remove_file(&file).unwrap();
    std::fs::write(dir.join("2028.json"), YEAR_2027).unwrap();
    let (code, _, err) = calendar(&data, &["2027"]);
    assert_ne!(code, 0);
    assert!(err.contains("does not match the file name"), "{err}");
}

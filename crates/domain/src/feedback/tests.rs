use super::*;
use crate::calendar::Calendar;
use crate::org::{test_actor, OrgKind};
use chrono::{Duration, TimeZone};

fn draft<'a>(problem: &'a str) -> Draft<'a> {
    Draft { project_id: Some(7), rating: Some(2), problem, ..Draft::default() }
}

fn fields(e: DomainError) -> Vec<(String, ErrorCode)> {
    e.fields().iter().map(|f| (f.field.clone(), f.code)).collect()
}

#[test]
fn a_rating_or_a_problem_about_one_project_or_provider() {
    let s = Submission::parse(&draft("  上门服务经常迟到  ")).unwrap();
    assert_eq!(
        (s.subject, s.subject_id, s.rating, s.problem.as_str()),
        (Subject::Project, 7, Some(2), "上门服务经常迟到")
    );
    let only_rating = Draft { provider_org_id: Some(3), rating: Some(5), ..Draft::default() };
    assert_eq!(Submission::parse(&only_rating).unwrap().subject, Subject::Provider);

    let none = Draft { project_id: Some(7), ..Draft::default() };
    assert_eq!(fields(Submission::parse(&none).unwrap_err()), [("problem".into(), ErrorCode::Required)]);
    let nothing = Draft { rating: Some(3), ..Draft::default() };
    assert_eq!(fields(Submission::parse(&nothing).unwrap_err()), [("project_id".into(), ErrorCode::Required)]);
    let both = Draft { project_id: Some(1), provider_org_id: Some(2), rating: Some(3), ..Draft::default() };
    assert_eq!(fields(Submission::parse(&both).unwrap_err()), [("project_id".into(), ErrorCode::AmbiguousChoice)]);
}

#[test]
fn bad_input_names_every_field() {
    let long = "很".repeat(TEXT_MAX_CHARS + 1);
    let d = Draft {
        project_id: Some(7),
        rating: Some(6),
        problem: &long,
        name: "王",
        phone: "138-abc",
        email: "not-an-address",
        ..Draft::default()
    };
    let got = fields(Submission::parse(&d).unwrap_err());
    assert_eq!(
        got,
        [
            ("problem".into(), ErrorCode::TooLong),
            ("rating".into(), ErrorCode::OutOfRange),
            ("phone".into(), ErrorCode::InvalidPhone),
            ("email".into(), ErrorCode::InvalidEmail),
        ]
    );
    let exact = "很".repeat(TEXT_MAX_CHARS);
    assert!(Submission::parse(&draft(&exact)).is_ok(), "the maximum itself is allowed");
    let d = Draft { rating: Some(0), ..draft("") };
    assert_eq!(fields(Submission::parse(&d).unwrap_err()), [("rating".into(), ErrorCode::OutOfRange)]);
    assert_eq!(
        fields(Submission::parse(&draft("a\u{0}b")).unwrap_err()),
        [("problem".into(), ErrorCode::InvalidCharacter)]
    );
}

#[test]
fn contacts_are_masked_for_the_department() {
    let c = Contact { name: "王小明".into(), phone: "13812345678".into(), email: "xiaoming@example.cn".into() };
    let m = c.masked();
    assert_eq!((m.name.as_str(), m.phone.as_str(), m.email.as_str()), ("王**", "138****5678", "x***@example.cn"));
    assert_eq!(Contact { phone: "12345".into(), ..Contact::default() }.masked().phone, "****");
    assert_eq!(Contact { name: "王".into(), ..Contact::default() }.masked().name, "*");
    assert!(Contact::default().masked().is_empty());
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    crate::clock::china_offset().with_ymd_and_hms(y, m, d, h, 0, 0).unwrap().with_timezone(&Utc)
}

#[test]
fn the_answer_is_due_twenty_working_days_later_on_the_holiday_calendar() {
    let cal = Calendar::official().unwrap();
    let rules = Rules::default();
    // 2026-09-21 (Mon): 20 working days run past Mid-Autumn (Fri 25 Sep off) and National Day (1–7 Oct off,
    // Sat 10 Oct worked); by weekdays alone they would end on 19 October.
    let due = due_on(&cal, &rules, at(2026, 9, 21, 10)).unwrap();
    assert_eq!(due.date, NaiveDate::from_ymd_opt(2026, 10, 26).unwrap());
    // Received early on 3 March in China, still 2 March in UTC: the China date counts.
    let due = due_on(&cal, &rules, at(2026, 3, 3, 7)).unwrap();
    assert_eq!(due.date, NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
}

fn feedback(department: i64) -> Feedback {
    Feedback {
        id: 1,
        version: 1,
        subject: Subject::Project,
        project_id: Some(7),
        provider_org_id: None,
        about: "项目".into(),
        department_org_id: department,
        department_name: "民政局".into(),
        region: "420506".into(),
        rating: Some(2),
        problem: "私人的话".into(),
        received_at: at(2026, 3, 2, 10),
        due_on: NaiveDate::from_ymd_opt(2026, 3, 30).unwrap(),
        due_provisional: false,
        answer: None,
    }
}

#[test]
fn only_the_department_answers_once_and_only_its_summary_is_published() {
    let mut f = feedback(10);
    let other = test_actor(1, 11, OrgKind::CivilAffairs, &[Role::Purchaser]);
    let supervisor = test_actor(2, 10, OrgKind::CivilAffairs, &[Role::Supervisor]);
    let staff = test_actor(3, 10, OrgKind::CivilAffairs, &[Role::Purchaser]);
    let now = at(2026, 3, 5, 9);
    for a in [&other, &supervisor] {
        assert_eq!(f.answer(a, "已整改", true, now).unwrap_err().code(), ErrorCode::Forbidden);
    }
    assert_eq!(fields(f.answer(&staff, "  ", true, now).unwrap_err()), [("summary".into(), ErrorCode::Required)]);
    assert!(f.published().is_none(), "nothing is published before the answer");
    f.answer(&staff, "已约谈承接主体，上门时间调整为每周二。", true, now).unwrap();
    assert_eq!((f.status(), f.version), (FeedbackStatus::Answered, 2));
    assert_eq!(f.answer(&staff, "again", false, now).unwrap_err().code(), ErrorCode::FeedbackAnswered);
    let p = f.published().unwrap();
    assert!(p.upheld, "the finding is public with the summary");
    let text = serde_json::to_string(&p).unwrap();
    assert!(text.contains("上门时间调整为每周二") && !text.contains("私人的话"), "{text}");
    assert_eq!(p.answered_on, NaiveDate::from_ymd_opt(2026, 3, 5).unwrap());
}

#[test]
fn overdue_after_its_last_day_until_answered() {
    let f = feedback(10);
    assert!(!f.is_overdue(f.due_on));
    assert!(f.is_overdue(f.due_on + Duration::days(1)));
}

#[test]
fn a_form_must_be_signed_at_least_three_seconds_and_at_most_a_day_ago_with_its_hidden_field_empty() {
    let rules = Rules::default();
    let now = at(2026, 3, 2, 10);
    assert!(check_not_spam(&rules, "", Some(now - Duration::seconds(3)), now).is_ok());
    assert!(check_not_spam(&rules, "", Some(now - Duration::hours(24)), now).is_ok());
    for (honeypot, issued) in [
        ("", Some(now - Duration::seconds(2))),
        ("http://spam.example", Some(now - Duration::seconds(60))),
        ("", None),
        ("", Some(now - Duration::hours(24) - Duration::seconds(1))),
        ("", Some(now + Duration::seconds(10))),
    ] {
        let e = check_not_spam(&rules, honeypot, issued, now).unwrap_err();
        assert_eq!(e.code(), ErrorCode::SpamSuspected, "{honeypot:?} {issued:?}");
        assert_eq!(e.kind(), crate::ErrorKind::Invalid, "422");
    }
}

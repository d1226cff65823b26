//! Statutory and local numbers, as configurable defaults. Sources: shared/domain-facts.md and docs/sources.md.

use crate::deadlines::PeriodRules;
use crate::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStages {
    /// The competent department on content, then finance on money (the Yiling rule).
    Two,
    /// Finance alone.
    One,
}

/// An OCDS prefix: `ocds-` and the six letters or digits the Open Contracting Partnership registers for a
/// publisher. The default is a placeholder until the platform's operator registers its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OcidPrefix(String);

impl OcidPrefix {
    pub const DEFAULT: &'static str = "ocds-sz0001";

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OcidPrefix {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let ok = s.strip_prefix("ocds-").is_some_and(|r| r.len() == 6 && r.bytes().all(|b| b.is_ascii_alphanumeric()));
        if ok {
            Ok(OcidPrefix(s))
        } else {
            Err(format!("ocid_prefix {s:?} must be ocds- and six letters or digits"))
        }
    }
}

impl From<OcidPrefix> for String {
    fn from(p: OcidPrefix) -> String {
        p.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    pub review_stages: ReviewStages,
    /// Contract term, generally ≤ 1 year (MOF order 102 art. 24).
    pub contract_max_months: u32,
    /// ≤ 3 years for stable, continuing services with secured funding (same article).
    pub continuing_contract_max_months: u32,
    pub max_upload_bytes: u64,
    /// Failed sign-ins for one username from one client address before each further attempt must wait.
    pub sign_in_free_failures: u32,
    /// Failed sign-ins from one client address, whatever the usernames, before each further attempt must wait.
    pub sign_in_address_free_failures: u32,
    /// The first wait after the free failures; it doubles with each further failure.
    pub sign_in_base_delay_secs: u64,
    /// Password checks one server runs at once (each costs memory and time by design); more are refused.
    pub sign_in_max_concurrent: u32,
    /// Reverse proxies (addresses or networks) whose `X-Forwarded-For` names the client. None by default: the
    /// header is then the client's own claim and ignored.
    pub trusted_proxies: Vec<crate::sign_in::IpRange>,
    pub session_hours: i64,
    pub api_token_days: i64,
    /// Share (basis points) of each year's welfare-lottery fund earmarked for social-work purchases.
    pub welfare_lottery_social_work_bp: u32,
    /// Catalogue codes (prefixes) whose categories count as social-work services for that earmark. The seed's
    /// "social-work projects" covered elderly care, children, disability, assistance and counselling as well
    /// as social-work posts, so those heads are the default.
    pub social_work_categories: Vec<String>,
    /// The spending standard a social-work post's yearly cost is held against.
    pub post_standard: String,
    /// Management fees may be at most this share (basis points) of the rest of an estimate without a reason.
    pub management_fee_cap_bp: u32,
    /// Least price weight (basis points) in comprehensive scoring of services by tender (财库〔2014〕214号 and
    /// MOF order 87 art. 55).
    pub service_price_weight_min_bp: u32,
    /// Price weight range (basis points) for services bought by competitive consultation (竞争性磋商).
    pub consultation_price_weight_min_bp: u32,
    pub consultation_price_weight_max_bp: u32,
    /// Price deduction (basis points) for small and micro enterprises when the documents do not set their own
    /// (财库〔2020〕46号).
    pub sme_price_deduction_bp: u32,
    /// The range (basis points) the documents' small-business deduction for services must fall in
    /// (财库〔2020〕46号 as amended by 财库〔2022〕19号: 10–20 %).
    pub sme_price_deduction_min_bp: u32,
    pub sme_price_deduction_max_bp: u32,
    /// A bid this far (basis points) below the mean of the other bids is abnormally low (Prozorro's red flag).
    pub abnormal_below_mean_bp: u32,
    /// A bid this far (basis points) below the next lowest bid is abnormally low (Prozorro's red flag).
    pub abnormal_below_next_bp: u32,
    /// Tenders at or above this budget need an evaluation committee of ≥ 7 (MOF order 87 art. 47).
    pub committee_large_tender_threshold: Money,
    /// The region's open-tender threshold for services; negotiation, consultation and quotation panels at or
    /// above it need ≥ 5 members (财库〔2014〕214号).
    pub open_tender_threshold: Money,
    /// Below this budget a department may buy directly, outside the procurement methods (采购限额标准; the
    /// central level's 1,000,000 yuan for services is the default).
    pub procurement_limit: Money,
    /// Fewer qualified bidders than this fail a tender, negotiation, consultation or quotation; final offers too
    /// (财政部令第74号 §33).
    pub min_bidders: u32,
    /// Where the rules allow fewer: a negotiation after a failed open tender (财政部令第74号 §27) and a
    /// consultation for services (财库〔2015〕124号) go on with this many.
    pub min_bidders_reduced: u32,
    /// Regions (and their subtrees) whose province sets its own procurement limit or open-tender threshold.
    pub region_thresholds: Vec<RegionThresholds>,
    /// Employment at a bidder within this many years before the draw is a conflict of interest.
    pub expert_conflict_years: u32,
    /// The statutory procurement periods (domain-facts.md, "Time limits"); a province may change the lengths.
    pub periods: PeriodRules,
    /// A milestone may be accepted (and paid) this many days before its date; 0: not before the date. A local
    /// choice: no payment for service not yet delivered.
    pub acceptance_grace_days: u32,
    /// Supplementary contracts together may add at most this share (basis points) of the original amount
    /// (政府采购法 §49: 10 %).
    pub supplement_max_bp: u32,
    /// A design's service period may start at most this many days before the day it is designed (a local
    /// choice, not a statute: room to buy a service that began while its purchase was prepared).
    pub service_start_window_days: u32,
    /// How often the deadline sweep marks overdue procurement duties (minutes, from China midnight; every server
    /// reads the same config.json, so they agree on the slots).
    pub deadline_sweep_minutes: crate::jobs::SweepPeriod,
    /// Open data: the registered OCDS prefix each project's `ocid` starts with, and the publisher's name.
    pub ocid_prefix: OcidPrefix,
    pub open_data_publisher: String,
    /// The red flags' thresholds ([`crate::red_flags`]).
    pub red_flags: crate::red_flags::FlagRules,
    /// Working days the competent department has to answer public feedback. 政府信息公开条例 (2019) §33 gives an
    /// administrative organ 20 working days to answer a citizen's written request, the statutory period counted
    /// in working days that is closest to a request from the public; 信访工作条例 (2022) §32's 60 days is for
    /// petitions handled in full, which feedback on a service is not.
    pub feedback_answer_working_days: u32,
    /// A public feedback form sent sooner than this after it was served is taken for a robot's (`spam_suspected`).
    pub feedback_min_form_secs: u32,
    /// A feedback form's token is good for this long; after that the form must be opened again.
    pub feedback_form_max_age_hours: u32,
    /// Feedback accepted from one client address per hour; more is refused with `rate_limited` (429).
    pub feedback_per_address_per_hour: u32,
    /// Performance evaluation's grades and the share of the final payment each releases
    /// ([`crate::evaluation::GradeRules`]), checked as read.
    #[serde(deserialize_with = "checked_grades")]
    pub grades: crate::evaluation::GradeRules,
    /// How the parties' evaluations weigh and what keeps a third-party evaluator independent
    /// ([`crate::evaluation::EvaluationRules`]), checked as read.
    #[serde(deserialize_with = "checked_evaluation")]
    pub evaluation: crate::evaluation::EvaluationRules,
    /// A service report finds an `at_least` indicator behind when it is short of its share of the term elapsed by
    /// more than this (basis points), an `at_most` one when above its target by more: a local choice.
    pub behind_target_tolerance_bp: u32,
    /// A survey's results are published once it has this many answers, so no answer points at one person.
    pub survey_min_published: u32,
    /// The most one-time survey codes one batch issues (a printed sheet's worth).
    pub survey_batch_max: u32,
    /// A provider's qualification is flagged this many days before it expires, time enough to renew it.
    pub qualification_warning_days: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            review_stages: ReviewStages::Two,
            contract_max_months: 12,
            continuing_contract_max_months: 36,
            max_upload_bytes: 10 * 1024 * 1024,
            sign_in_free_failures: 5,
            sign_in_address_free_failures: 20,
            sign_in_base_delay_secs: 30,
            sign_in_max_concurrent: 2,
            trusted_proxies: Vec::new(),
            session_hours: 12,
            api_token_days: 30,
            welfare_lottery_social_work_bp: 1000,
            social_work_categories: ["A01", "A02", "A03", "A04", "A06", "A07"].map(String::from).to_vec(),
            management_fee_cap_bp: 1000,
            post_standard: "sw_post_year".into(),
            service_price_weight_min_bp: 1000,
            consultation_price_weight_min_bp: 1000,
            consultation_price_weight_max_bp: 3000,
            sme_price_deduction_bp: 1000,
            sme_price_deduction_min_bp: 1000,
            sme_price_deduction_max_bp: 2000,
            abnormal_below_mean_bp: 4000,
            abnormal_below_next_bp: 3000,
            committee_large_tender_threshold: Money::from_yuan(10_000_000),
            open_tender_threshold: Money::from_yuan(2_000_000),
            expert_conflict_years: 3,
            procurement_limit: Money::from_yuan(1_000_000),
            min_bidders: 3,
            min_bidders_reduced: 2,
            region_thresholds: Vec::new(),
            periods: PeriodRules::default(),
            acceptance_grace_days: 0,
            supplement_max_bp: 1000,
            service_start_window_days: 90,
            deadline_sweep_minutes: crate::jobs::SweepPeriod::DEFAULT,
            ocid_prefix: OcidPrefix(OcidPrefix::DEFAULT.into()),
            open_data_publisher: "善治公共服务购买平台".into(),
            red_flags: crate::red_flags::FlagRules::default(),
            feedback_answer_working_days: 20,
            feedback_min_form_secs: 3,
            feedback_form_max_age_hours: 24,
            feedback_per_address_per_hour: 5,
            grades: crate::evaluation::GradeRules::default(),
            evaluation: crate::evaluation::EvaluationRules::default(),
            behind_target_tolerance_bp: 2000,
            survey_min_published: 5,
            survey_batch_max: 200,
            qualification_warning_days: 60,
        }
    }
}

fn checked_grades<'de, D: serde::Deserializer<'de>>(d: D) -> Result<crate::evaluation::GradeRules, D::Error> {
    let grades = crate::evaluation::GradeRules::deserialize(d)?;
    grades.check().map_err(serde::de::Error::custom)?;
    Ok(grades)
}

fn checked_evaluation<'de, D: serde::Deserializer<'de>>(d: D) -> Result<crate::evaluation::EvaluationRules, D::Error> {
    let rules = crate::evaluation::EvaluationRules::deserialize(d)?;
    rules.check().map_err(serde::de::Error::custom)?;
    Ok(rules)
}

/// A province's (or lower region's) own thresholds; the most specific region containing the project wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionThresholds {
    pub region: String,
    #[serde(default)]
    pub procurement_limit: Option<Money>,
    #[serde(default)]
    pub open_tender_threshold: Option<Money>,
}

impl Rules {
    fn region_rule<T>(&self, region: &str, pick: impl Fn(&RegionThresholds) -> Option<T>) -> Option<T> {
        self.region_thresholds
            .iter()
            .filter(|r| !r.region.is_empty() && region.starts_with(r.region.as_str()))
            .filter_map(|r| pick(r).map(|v| (r.region.len(), v)))
            .max_by_key(|(len, _)| *len)
            .map(|(_, v)| v)
    }

    /// The open-tender threshold for services in `region`.
    pub fn open_tender_threshold_for(&self, region: &str) -> Money {
        self.region_rule(region, |r| r.open_tender_threshold).unwrap_or(self.open_tender_threshold)
    }

    /// The procurement limit below which a department in `region` may buy directly.
    pub fn procurement_limit_for(&self, region: &str) -> Money {
        self.region_rule(region, |r| r.procurement_limit).unwrap_or(self.procurement_limit)
    }

    /// Whether a catalogue category counts as a social-work service (for the welfare-lottery earmark).
    pub fn is_social_work(&self, category: &str) -> bool {
        self.social_work_categories.iter().any(|p| !p.is_empty() && category.starts_with(p.as_str()))
    }

    /// Seconds to wait before the next sign-in attempt for a username at an address after `failures` recent
    /// failures.
    pub fn sign_in_delay_secs(&self, failures: u32) -> u64 {
        self.sign_in_delay_after(self.sign_in_free_failures, failures)
    }

    /// Seconds to wait after `failures` recent failures of which `free` cost nothing: the base delay, doubling
    /// with each further failure, at most an hour.
    pub fn sign_in_delay_after(&self, free: u32, failures: u32) -> u64 {
        if failures < free {
            return 0;
        }
        let doublings = (failures - free).min(10);
        (self.sign_in_base_delay_secs << doublings).min(3600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statutory_defaults() {
        let r = Rules::default();
        assert_eq!(r.contract_max_months, 12, "contract term generally ≤ 1 year");
        assert_eq!(r.continuing_contract_max_months, 36, "≤ 3 years for continuing services");
        assert_eq!(r.review_stages, ReviewStages::Two);
    }

    #[test]
    fn an_ocid_prefix_is_ocds_and_six_letters_or_digits() {
        assert_eq!(Rules::default().ocid_prefix.as_str(), "ocds-sz0001");
        let r: Rules = serde_json::from_str(r#"{"ocid_prefix": "ocds-213czf"}"#).unwrap();
        assert_eq!(r.ocid_prefix.as_str(), "ocds-213czf");
        for bad in ["213czf", "ocds-213cz", "ocds-213czf1", "ocds-213cz-", "OCDS-213czf"] {
            let e = serde_json::from_str::<Rules>(&format!(r#"{{"ocid_prefix": "{bad}"}}"#)).unwrap_err();
            assert!(e.to_string().contains("ocid_prefix"), "{bad}: {e}");
        }
    }

    #[test]
    fn qualifications_are_flagged_sixty_days_ahead_unless_configured() {
        assert_eq!(Rules::default().qualification_warning_days, 60);
        let r: Rules = serde_json::from_str(r#"{"qualification_warning_days": 90}"#).unwrap();
        assert_eq!(r.qualification_warning_days, 90);
    }

    #[test]
    fn posts_are_held_against_the_post_year_standard() {
        assert_eq!(Rules::default().post_standard, "sw_post_year");
    }

    #[test]
    fn management_fee_cap_defaults_to_ten_percent() {
        assert_eq!(Rules::default().management_fee_cap_bp, 1000);
    }

    #[test]
    fn welfare_lottery_earmark_defaults_to_ten_percent() {
        assert_eq!(Rules::default().welfare_lottery_social_work_bp, 1000);
        let r: Rules = serde_json::from_str(r#"{"welfare_lottery_social_work_bp": 1500}"#).unwrap();
        assert_eq!(r.welfare_lottery_social_work_bp, 1500);
    }

    #[test]
    fn social_work_services_by_default() {
        let r = Rules::default();
        assert!(
            r.is_social_work("A0701")
                && r.is_social_work("A0201")
                && !r.is_social_work("B0102")
                && !r.is_social_work("A05")
        );
        let r: Rules = serde_json::from_str(r#"{"social_work_categories": ["A0702"]}"#).unwrap();
        assert!(r.is_social_work("A0702") && !r.is_social_work("A0701"));
    }

    #[test]
    fn sign_in_backoff_grows_and_caps() {
        let r = Rules::default();
        assert_eq!(r.sign_in_delay_secs(4), 0);
        assert_eq!(r.sign_in_delay_secs(5), 30);
        assert_eq!(r.sign_in_delay_secs(6), 60);
        assert_eq!(r.sign_in_delay_secs(40), 3600);
        assert_eq!(r.sign_in_delay_after(r.sign_in_address_free_failures, 19), 0);
        assert_eq!(r.sign_in_delay_after(r.sign_in_address_free_failures, 20), 30);
    }

    #[test]
    fn sign_in_limits_default_and_trust_no_proxy() {
        let r = Rules::default();
        assert_eq!((r.sign_in_free_failures, r.sign_in_address_free_failures, r.sign_in_max_concurrent), (5, 20, 2));
        assert!(r.trusted_proxies.is_empty());
        let r: Rules = serde_json::from_str(r#"{"trusted_proxies": ["10.0.0.0/8", "::1"]}"#).unwrap();
        assert!(r.trusted_proxies[0].contains("10.3.2.1".parse().unwrap()));
        let bad = serde_json::from_str::<Rules>(r#"{"trusted_proxies": ["10.0.0.0/40"]}"#).unwrap_err();
        assert!(bad.to_string().contains("10.0.0.0/40"), "{bad}");
    }

    #[test]
    fn large_tender_committee_threshold_defaults_to_ten_million_yuan() {
        assert_eq!(Rules::default().committee_large_tender_threshold, Money::from_yuan(10_000_000));
    }

    #[test]
    fn open_tender_threshold_defaults_to_two_million_yuan_and_is_regional() {
        assert_eq!(Rules::default().open_tender_threshold, Money::from_yuan(2_000_000));
        let r: Rules = serde_json::from_str(r#"{"open_tender_threshold": "4000000.00"}"#).unwrap();
        assert_eq!(r.open_tender_threshold, Money::from_yuan(4_000_000));
    }

    #[test]
    fn expert_conflict_looks_back_three_years() {
        assert_eq!(Rules::default().expert_conflict_years, 3);
    }

    #[test]
    fn periods_default_to_the_statute_and_are_regional() {
        assert_eq!(Rules::default().periods, PeriodRules::default());
        assert_eq!(Rules::default().periods.tender_documents_to_bid_deadline, 20);
        let r: Rules = serde_json::from_str(r#"{"periods": {"challenge_reply": 5}}"#).unwrap();
        assert_eq!((r.periods.challenge_reply, r.periods.challenge), (5, 7));
    }

    #[test]
    fn service_price_weight_is_at_least_ten_percent() {
        assert_eq!(Rules::default().service_price_weight_min_bp, 1000);
    }

    #[test]
    fn consultation_price_weight_is_ten_to_thirty_percent() {
        let r = Rules::default();
        assert_eq!((r.consultation_price_weight_min_bp, r.consultation_price_weight_max_bp), (1000, 3000));
    }

    #[test]
    fn sme_price_deduction_defaults_to_ten_percent() {
        assert_eq!(Rules::default().sme_price_deduction_bp, 1000);
        let r: Rules = serde_json::from_str(r#"{"sme_price_deduction_bp": 2000}"#).unwrap();
        assert_eq!(r.sme_price_deduction_bp, 2000);
    }

    #[test]
    fn sme_price_deduction_for_services_ranges_from_ten_to_twenty_percent() {
        let r = Rules::default();
        assert_eq!((r.sme_price_deduction_min_bp, r.sme_price_deduction_max_bp), (1000, 2000));
    }

    #[test]
    fn three_suppliers_or_two_where_the_rules_allow() {
        let r = Rules::default();
        assert_eq!((r.min_bidders, r.min_bidders_reduced), (3, 2));
    }

    #[test]
    fn abnormally_low_below_mean_defaults_to_forty_percent() {
        assert_eq!(Rules::default().abnormal_below_mean_bp, 4000);
    }

    #[test]
    fn abnormally_low_below_next_defaults_to_thirty_percent() {
        assert_eq!(Rules::default().abnormal_below_next_bp, 3000);
    }

    #[test]
    fn milestones_are_accepted_from_their_date_by_default() {
        assert_eq!(Rules::default().acceptance_grace_days, 0);
        let r: Rules = serde_json::from_str(r#"{"acceptance_grace_days": 5}"#).unwrap();
        assert_eq!(r.acceptance_grace_days, 5);
    }

    #[test]
    fn supplementary_contracts_add_at_most_ten_percent() {
        assert_eq!(Rules::default().supplement_max_bp, 1000, "政府采购法 §49");
    }

    #[test]
    fn service_periods_start_at_most_ninety_days_before_the_design() {
        assert_eq!(Rules::default().service_start_window_days, 90);
    }

    #[test]
    fn feedback_is_answered_in_twenty_working_days_from_forms_at_least_three_seconds_old() {
        let r = Rules::default();
        assert_eq!(r.feedback_answer_working_days, 20, "政府信息公开条例 §33");
        assert_eq!((r.feedback_min_form_secs, r.feedback_form_max_age_hours), (3, 24));
        assert_eq!(r.feedback_per_address_per_hour, 5);
        let r: Rules = serde_json::from_str(r#"{"feedback_answer_working_days": 15}"#).unwrap();
        assert_eq!(r.feedback_answer_working_days, 15);
    }

    #[test]
    fn partial_config_keeps_defaults() {
        let r: Rules = serde_json::from_str(r#"{"review_stages":"one"}"#).unwrap();
        assert_eq!(r.review_stages, ReviewStages::One);
        assert_eq!(r.contract_max_months, 12);
    }
}

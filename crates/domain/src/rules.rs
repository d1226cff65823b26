//! Statutory and local numbers, as configurable defaults. Sources are in shared/domain-facts.md.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStages {
    /// The competent department on content, then finance on money (the Yiling rule).
    Two,
    /// Finance alone.
    One,
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
    /// Failed sign-ins allowed before each further attempt must wait.
    pub sign_in_free_failures: u32,
    /// The first wait after the free failures; it doubles with each further failure.
    pub sign_in_base_delay_secs: u64,
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
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            review_stages: ReviewStages::Two,
            contract_max_months: 12,
            continuing_contract_max_months: 36,
            max_upload_bytes: 10 * 1024 * 1024,
            sign_in_free_failures: 5,
            sign_in_base_delay_secs: 30,
            session_hours: 12,
            api_token_days: 30,
            welfare_lottery_social_work_bp: 1000,
            social_work_categories: ["A01", "A02", "A03", "A04", "A06", "A07"].map(String::from).to_vec(),
            management_fee_cap_bp: 1000,
            post_standard: "sw_post_year".into(),
        }
    }
}

impl Rules {
    /// Whether a catalogue category counts as a social-work service (for the welfare-lottery earmark).
    pub fn is_social_work(&self, category: &str) -> bool {
        self.social_work_categories.iter().any(|p| !p.is_empty() && category.starts_with(p.as_str()))
    }

    /// Seconds a user must wait before the next sign-in attempt after `failures` recent failures.
    pub fn sign_in_delay_secs(&self, failures: u32) -> u64 {
        if failures < self.sign_in_free_failures {
            return 0;
        }
        let doublings = (failures - self.sign_in_free_failures).min(10);
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
    }

    #[test]
    fn partial_config_keeps_defaults() {
        let r: Rules = serde_json::from_str(r#"{"review_stages":"one"}"#).unwrap();
        assert_eq!(r.review_stages, ReviewStages::One);
        assert_eq!(r.contract_max_months, 12);
    }
}

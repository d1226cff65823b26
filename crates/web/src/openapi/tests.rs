//! The document against the types it documents: a field added to a request type and left out of its schema (or
//! a schema written by hand that drifts from its type) fails here.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{json, Value};
use shanzhi_app::{accounts, approvals, budgets, directory, pool, procurements as proc, projects};
use shanzhi_domain::procurement::approval::Consent;
use shanzhi_domain::procurement::{CriterionSpec, Documents, Scoring, SingleSource, SingleSourceCase};
use shanzhi_domain::{ErrorCode, FieldError};
use utoipa::ToSchema;

use super::document;

/// The keys each sample serialises to, by its schema's name.
#[derive(Default)]
struct Samples(BTreeMap<String, BTreeSet<String>>);

impl Samples {
    fn add<T: Serialize + ToSchema>(&mut self, sample: T) -> &mut Self {
        let value = serde_json::to_value(sample).expect("samples serialise");
        let keys = value.as_object().expect("samples are objects").keys().cloned().collect();
        self.0.insert(T::name().into_owned(), keys);
        self
    }
}

/// One of every object the document describes, with every field present.
fn samples() -> Samples {
    let documents = Documents {
        requirements: String::new(),
        qualifications: String::new(),
        scoring: Scoring::LowestPrice,
        sme_deduction_bp: 1000,
        tie_rule: String::new(),
        invited: Vec::new(),
        single_source: None,
        framework_members: None,
        admitted_kinds: Vec::new(),
        complex_or_high_impact: false,
    };
    let single_source = SingleSource {
        case: SingleSourceCase::Emergency,
        provider_org_id: 1,
        provider_name: String::new(),
        justification: String::new(),
    };
    let field = FieldError::new("f", ErrorCode::Required, "", "");
    let mut s = Samples::default();
    s.add(proc::StartRequest { method: String::new(), documents: documents.clone(), agency_org_id: None })
        .add(documents)
        .add(single_source)
        .add(CriterionSpec { key: String::new(), name: String::new(), weight_bp: 0 })
        .add(Consent::default())
        .add(crate::error::ErrorBody {
            code: ErrorCode::Required,
            message: String::new(),
            message_en: String::new(),
            fields: vec![field.clone()],
        })
        .add(crate::paging::Listed::<Value> { items: Vec::new(), next_cursor: None })
        .add(crate::feedback::FormToken { form_token: String::new(), min_seconds: 3 })
        .add(shanzhi_app::feedback::Receipt { id: 1, department_name: String::new(), due_on: chrono::NaiveDate::MIN })
        .add(field)
        .add(shanzhi_domain::evaluation::Tie {
            id: 1,
            evaluator_org_id: 1,
            provider_org_id: 2,
            kind: shanzhi_domain::evaluation::TieKind::Incubation,
            since: chrono::NaiveDate::MIN,
            until: None,
            note: String::new(),
        });
    {
        use shanzhi_app::registry::{
            CategoryCapacity, CertifiedTotals, QualificationView, RegistryEntry, SectorOverview, TownshipCapacity,
        };
        use shanzhi_domain::registry::{Profile, QualificationKind, SocialWorkers, Training, Validity};
        let day = chrono::NaiveDate::MIN;
        let profile = Profile {
            founded_on: day,
            registered_capital: shanzhi_domain::Money::ZERO,
            staff: 1,
            social_workers: SocialWorkers::default(),
            service_areas: vec![],
            categories: vec![],
        };
        let training = Training {
            id: 1,
            org_id: 1,
            course: String::new(),
            organiser: String::new(),
            held_on: day,
            hours: shanzhi_domain::Quantity::default(),
            participants: 1,
        };
        let qualification = QualificationView {
            id: 1,
            org_id: 1,
            kind: QualificationKind::Other,
            name: String::new(),
            number: String::new(),
            issuer: String::new(),
            issued_on: day,
            expires_on: None,
            validity: Validity::Current,
            verified: false,
            file_id: None,
        };
        let certified = CertifiedTotals { assistant: 0, intermediate: 0, senior: 0 };
        let category = CategoryCapacity {
            code: String::new(),
            name: String::new(),
            providers: 0,
            short: true,
            grades: Default::default(),
            average_score: None,
        };
        let township = TownshipCapacity { code: String::new(), name: String::new(), providers: 0, short: true };
        s.add(RegistryEntry {
            org_id: 1,
            name: String::new(),
            profile: Some(profile.clone()),
            qualifications: vec![qualification.clone()],
            trainings: vec![training.clone()],
        })
        .add(SectorOverview {
            region: String::new(),
            on: day,
            min_providers: 3,
            by_kind: Default::default(),
            providers: 0,
            staff: 0,
            social_workers: certified,
            founded_by_year: vec![],
            categories: vec![category.clone()],
            townships: vec![township.clone()],
            trainings: 0,
            training_hours: String::new(),
            pending: 0,
        })
        .add(profile)
        .add(training)
        .add(qualification)
        .add(certified)
        .add(category)
        .add(township)
        .add(SocialWorkers::default());
    }
    macro_rules! defaults {
        ($($t:ty),* $(,)?) => { $(s.add(<$t>::default());)* };
    }
    defaults!(
        crate::api::Credentials,
        crate::api::TokenRequest,
        crate::api::Upload,
        accounts::PasswordRequest,
        directory::OrganisationRequest,
        directory::UserRequest,
        projects::DesignRequest,
        projects::TargetRequest,
        projects::PostRequest,
        projects::CostRequest,
        projects::CostLineRequest,
        projects::ReviewRequest,
        projects::AwardRequest,
        projects::ContractRequest,
        projects::MilestoneRequest,
        projects::ReportRequest,
        projects::OutputRequest,
        projects::AcceptanceRequest,
        projects::ReasonRequest,
        projects::SupplementRequest,
        projects::SignRequest,
        projects::PostHolderRequest,
        budgets::BudgetRequest,
        budgets::GrantRequest,
        budgets::FundingRequest,
        budgets::FundingLineRequest,
        budgets::StandardRequest,
        approvals::ApprovalRequest,
        approvals::DecisionRequest,
        shanzhi_app::feedback::FeedbackRequest,
        shanzhi_app::feedback::AnswerRequest,
        projects::VisitRequest,
        shanzhi_app::evaluations::StartEvaluationRequest,
        shanzhi_app::evaluations::EvaluationRequest,
        shanzhi_app::evaluations::ScoreRequest,
        shanzhi_app::evaluations::TieRequest,
        shanzhi_app::surveys::IssueRequest,
        shanzhi_app::surveys::SurveyAnswerRequest,
        shanzhi_app::credit::BlacklistRequest,
        shanzhi_app::registry::ProfileRequest,
        shanzhi_app::registry::QualificationRequest,
        shanzhi_app::registry::TrainingRequest,
        pool::RegistrationRequest,
        pool::RejectionRequest,
        pool::ExpertRequest,
        pool::AccountRequest,
        pool::EmployerRequest,
        pool::TiesRequest,
        proc::BidRequest,
        proc::MarkRequest,
        proc::TextRequest,
        proc::PublishRequest,
        proc::ClarificationRequest,
        proc::OpeningRequest,
        proc::CommitteeRequest,
        proc::DeclarationRequest,
        proc::RoundRequest,
        proc::FinalOffersRequest,
        proc::ComplianceRequest,
        proc::LowPriceRequest,
        proc::LowPriceFindingRequest,
        proc::MarksRequest,
        proc::WinnerRequest,
        proc::NegotiationRequest,
        proc::SwitchMethodRequest,
        proc::ChallengeRequest,
        proc::ChallengeReplyRequest,
        proc::PauseRequest,
        proc::SuspensionRequest,
        proc::ComplaintDecisionRequest,
        proc::CallOffRequest,
    );
    s
}

/// Each object schema lists exactly the fields its type serialises, and every such schema has a sample here,
/// so a new body type cannot slip past this test.
#[test]
fn object_schemas_list_every_field_of_their_types() {
    let doc = document();
    let samples = samples();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for (name, schema) in schemas {
        let Some(properties) = schema["properties"].as_object() else { continue };
        let documented: BTreeSet<String> = properties.keys().cloned().collect();
        let Some(serialised) = samples.0.get(name) else { panic!("no sample of {name}: add one to samples()") };
        assert_eq!(&documented, serialised, "schema {name} and its type differ");
    }
    for name in samples.0.keys() {
        assert!(schemas.contains_key(name), "{name} is sampled but not in the document");
    }
}

/// The tagged scoring rule documents its tag as the serialised value carries it.
#[test]
fn tagged_enums_document_their_tag() {
    let doc = document();
    let scoring = serde_json::to_string(&doc["components"]["schemas"]["Scoring"]).unwrap();
    assert_eq!(serde_json::to_value(Scoring::LowestPrice).unwrap(), json!({"kind": "lowest_price"}));
    for tag in ["\"kind\"", "\"lowest_price\"", "\"comprehensive\""] {
        assert!(scoring.contains(tag), "Scoring's schema lacks {tag}: {scoring}");
    }
}

/// Every request body is one of the types above, named by reference.
#[test]
fn request_bodies_are_named_types() {
    let doc = document();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(content) = op["requestBody"]["content"].as_object() else { continue };
            for media in content.values() {
                let reference = media["schema"]["$ref"].as_str();
                assert!(
                    reference.is_some_and(|r| r.starts_with("#/components/schemas/")),
                    "{method} {path}: body {media}"
                );
            }
        }
    }
}

/// Each handler's documented body is the type it reads (`ApiJson<T>` or `ActionJson<T>`, or a multipart form),
/// and a handler that reads none documents none.
#[test]
fn documented_bodies_are_the_bodies_read() {
    let sources = [
        include_str!("../api.rs"),
        include_str!("../procure_api.rs"),
        include_str!("../approvals.rs"),
        include_str!("../money_api.rs"),
        include_str!("../pool.rs"),
        include_str!("../accounts.rs"),
        include_str!("../jobs.rs"),
    ];
    let mut handlers = 0;
    for source in sources {
        for annotated in source.split("#[utoipa::path(").skip(1) {
            let (attribute, rest) = annotated.split_once(")]").expect("the attribute ends");
            let signature = &rest[..rest.find(" {\n").expect("the handler's body")];
            let documented = attribute
                .split_once("request_body")
                .map(|(_, b)| b.trim_start_matches([' ', '=', '(']).trim_start_matches("content = "))
                .map(|b| b.split([',', '\n']).next().unwrap().trim());
            let read = ["ApiJson<", "ActionJson<"]
                .iter()
                .find_map(|e| signature.split_once(e))
                .map(|(_, t)| t.split('>').next().unwrap().trim())
                .or(signature.contains("Multipart").then_some("Upload"));
            let name = signature.split("fn ").nth(1).map_or(signature, |s| s.split('(').next().unwrap());
            assert_eq!(documented.map(|d| d.rsplit("::").next()), read.map(|r| r.rsplit("::").next()), "{name}");
            handlers += 1;
        }
    }
    assert!(handlers > 70, "the handlers were found ({handlers})");
}

/// The error body and each field error document their code as the closed set, listing every code.
#[test]
fn error_schemas_list_every_code() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    for (schema, name) in [("Error", "ErrorCode"), ("FieldError", "ErrorCode")] {
        assert_eq!(schemas[schema]["properties"]["code"]["$ref"], json!(format!("#/components/schemas/{name}")));
    }
    let listed: Vec<&str> = schemas["ErrorCode"]["enum"]
        .as_array()
        .expect("ErrorCode lists its values")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, codes);
}

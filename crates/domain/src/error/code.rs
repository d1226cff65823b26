//! Every code the platform answers an error with, as one closed set: the `code` of the JSON error body, of
//! each field error, and of the domain's refusals. Clients match on these strings, so a code once published
//! keeps its spelling; a typo in a new one fails to compile instead of reaching the wire.

use std::fmt;
use std::str::FromStr;

/// Declares the codes once, so the enum, its wire strings and `ALL` cannot drift apart.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $wire:literal,)+) => {
        /// A stable snake_case error code. On the wire it is the string [`ErrorCode::as_str`] gives.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl ErrorCode {
            /// Every code, in the order declared (alphabetical).
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The code as it appears on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $wire,)+
                }
            }
        }
    };
}

error_codes! {
    /// A direct award whose budget reaches the procurement limit: it must be procured by a statutory method.
    AboveProcurementLimit = "above_procurement_limit",
    /// A cost line's unit price is above its spending standard and no reason is given.
    AboveStandard = "above_standard",
    /// The right password of a disabled account.
    AccountDisabled = "account_disabled",
    /// An expert added with neither an existing user nor a new account (or with both).
    AccountRequired = "account_required",
    /// A survey code answers a second time in the same survey period.
    AlreadyAnswered = "already_answered",
    /// A complaint about this challenge already exists.
    AlreadyComplained = "already_complained",
    /// A committee member declares a second time.
    AlreadyDeclared = "already_declared",
    /// A party submits its evaluation of a project a second time, or after the result.
    AlreadyEvaluated = "already_evaluated",
    /// A write would duplicate a unique record (the store's unique-key violation).
    AlreadyExists = "already_exists",
    /// The user is already in the expert pool.
    AlreadyInPool = "already_in_pool",
    /// The challenge has already been answered.
    AlreadyReplied = "already_replied",
    /// A form names one thing in two ways at once (an organisation chosen and another's code typed).
    AmbiguousChoice = "ambiguous_choice",
    /// A budget, grant or funding amount is zero or less.
    AmountNotPositive = "amount_not_positive",
    /// An amount, unit price or bid price is too large to hold.
    AmountTooLarge = "amount_too_large",
    /// An application for another procurement method has already been decided.
    ApprovalDecided = "approval_decided",
    /// A single-source start differs in case or provider from what finance approved.
    ApprovalMismatch = "approval_mismatch",
    /// An application for another method below the open-tender threshold, where none is needed.
    ApprovalNotNeeded = "approval_not_needed",
    /// An application for another method awaits its decision.
    ApprovalPending = "approval_pending",
    /// Single source needs finance's approval before the procurement continues.
    ApprovalRequired = "approval_required",
    /// A request the router cannot read at all (bad path or parameters).
    BadRequest = "bad_request",
    /// A pause of a complaint's decision period that starts before the complaint was filed.
    BeforeComplaint = "before_complaint",
    /// Opened bids are asked for by someone other than declared committee members and the purchaser.
    BidsNotReadable = "bids_not_readable",
    /// Bids are asked for before the opening: they stay sealed.
    BidsSealed = "bids_sealed",
    /// A movement would take more than a budget line's bucket holds.
    BudgetExceeded = "budget_exceeded",
    /// A project is funded from another department's budget line.
    BudgetNotYours = "budget_not_yours",
    /// A budget line appears twice in one project's funding.
    BudgetRepeated = "budget_repeated",
    /// A period cannot be counted because that year's holiday calendar is not loaded.
    CalendarYearMissing = "calendar_year_missing",
    /// The service category is not in the guidance catalogue.
    CategoryNotInCatalogue = "category_not_in_catalogue",
    /// The service category is on the negative list and may not be purchased.
    CategoryOnNegativeList = "category_on_negative_list",
    /// A challenge filed after its period ended.
    ChallengeLate = "challenge_late",
    /// The award waits because a challenge has no reply yet.
    ChallengeOpen = "challenge_open",
    /// An identifier's check character is wrong.
    CheckCharacterMismatch = "check_character_mismatch",
    /// A class-one public institution tries to register as a provider or to bid.
    ClassOneIneligible = "class_one_ineligible",
    /// The test clock is asked to move backwards.
    ClockBackwards = "clock_backwards",
    /// A refusal or a return without the reason for it.
    CommentRequired = "comment_required",
    /// The evaluation committee has already been drawn.
    CommitteeDrawn = "committee_drawn",
    /// The committee is short because recused experts have not been replaced.
    CommitteeIncomplete = "committee_incomplete",
    /// A committee with an even number of members.
    CommitteeSizeEven = "committee_size_even",
    /// A committee smaller than the method and budget require.
    CommitteeTooSmall = "committee_too_small",
    /// The complaint has already been decided.
    ComplaintDecided = "complaint_decided",
    /// A complaint filed after its period ended.
    ComplaintLate = "complaint_late",
    /// Evaluation goes on while a bid's compliance review is missing.
    ComplianceMissing = "compliance_missing",
    /// Competitive consultation without comprehensive scoring.
    ComprehensiveRequired = "comprehensive_required",
    /// An irreversible form action submitted without its confirmation box ticked.
    ConfirmationMissing = "confirmation_missing",
    /// The contract amount exceeds the approved estimate.
    ContractExceedsEstimate = "contract_exceeds_estimate",
    /// The contract amount differs from the awarded price.
    ContractNotAwardPrice = "contract_not_award_price",
    /// The contract term exceeds the longest allowed.
    ContractTermTooLong = "contract_term_too_long",
    /// A project is submitted before its cost estimate is complete.
    CostEstimateMissing = "cost_estimate_missing",
    /// A form's CSRF token is missing or expired.
    CsrfTokenInvalid = "csrf_token_invalid",
    /// The database does not answer in time (503).
    DatabaseUnavailable = "database_unavailable",
    /// A former employment that has not ended yet.
    DateInFuture = "date_in_future",
    /// A date beyond what the calendar can count from.
    DateOutOfRange = "date_out_of_range",
    /// A new deadline that is not in the future.
    DeadlineInPast = "deadline_in_past",
    /// Interest or a bid arrives after the deadline.
    DeadlinePassed = "deadline_passed",
    /// A committee member has not declared their conflicts.
    DeclarationMissing = "declaration_missing",
    /// A committee member asks for bids before declaring no conflict.
    DeclarationRequired = "declaration_required",
    /// A price deduction of 100% or more.
    DeductionOutOfRange = "deduction_out_of_range",
    /// Social funds without the donor's name.
    DonorRequired = "donor_required",
    /// A milestone date outside the contract term.
    DueOutsideTerm = "due_outside_term",
    /// The same bid appears twice in an evaluation.
    DuplicateBid = "duplicate_bid",
    /// Two scoring criteria share a name.
    DuplicateCriterion = "duplicate_criterion",
    /// The same expert appears twice in the pool drawn from.
    DuplicateExpert = "duplicate_expert",
    /// Two performance targets share an indicator.
    DuplicateIndicator = "duplicate_indicator",
    /// An expert scores the same bid on the same criterion twice.
    DuplicateMark = "duplicate_mark",
    /// A project names the same place twice.
    DuplicateRegion = "duplicate_region",
    /// An identifier or amount is left empty.
    Empty = "empty",
    /// A project's evaluation is started a second time.
    EvaluationExists = "evaluation_exists",
    /// The final milestone paid by grade is accepted before the evaluation has its result.
    EvaluationNotFinished = "evaluation_not_finished",
    /// A third-party evaluator with a tie to the provider, or its evaluator too many times in a row.
    EvaluatorConflict = "evaluator_conflict",
    /// More experts than committee members.
    ExpertsExceedMembers = "experts_exceed_members",
    /// A low-price explanation after its deadline.
    ExplanationLate = "explanation_late",
    /// The low price is judged before the bidder explained and before its deadline.
    ExplanationPending = "explanation_pending",
    /// Public feedback that has already been answered.
    FeedbackAnswered = "feedback_answered",
    /// An upload with no content.
    FileEmpty = "file_empty",
    /// An upload above the size limit.
    FileTooLarge = "file_too_large",
    /// An upload whose name or content is not an allowed type.
    FileTypeNotAllowed = "file_type_not_allowed",
    /// Money is moved in a fiscal year that is closed.
    FiscalYearClosed = "fiscal_year_closed",
    /// A fiscal year is closed before it has ended.
    FiscalYearNotEnded = "fiscal_year_not_ended",
    /// The actor lacks the role or the organisation for the action.
    Forbidden = "forbidden",
    /// Call-offs would exceed the framework agreement's budget.
    FrameworkExhausted = "framework_exhausted",
    /// Funding lines that do not add up to the estimate.
    FundingNotTotal = "funding_not_total",
    /// A project without the budgets that pay for it.
    FundingRequired = "funding_required",
    /// A budget line of a year the service does not run in.
    FundingYearOutsideService = "funding_year_outside_service",
    /// A department grants to itself.
    GrantToSelf = "grant_to_self",
    /// Negative service hours in an acceptance report.
    HoursNegative = "hours_negative",
    /// A post without a title or a count of at least one.
    IncompletePost = "incomplete_post",
    /// A performance target without an indicator or a value.
    IncompleteTarget = "incomplete_target",
    /// Procurement starts less than 30 days after the purchase intention.
    IntentionPeriod = "intention_period",
    /// A failure that should not happen; the detail is logged (500).
    InternalError = "internal_error",
    /// The purchaser names itself as its agency.
    InvalidAgency = "invalid_agency",
    /// An amount that is not a decimal number of yuan.
    InvalidAmount = "invalid_amount",
    /// A resident identity number with an impossible birth date.
    InvalidBirthDate = "invalid_birth_date",
    /// An identifier with a character it may not contain.
    InvalidCharacter = "invalid_character",
    /// A spending standard's code that is not letters, digits or underscores.
    InvalidCode = "invalid_code",
    /// A number of people served that is not a whole number.
    InvalidCount = "invalid_count",
    /// A sign-in with a wrong username or password.
    InvalidCredentials = "invalid_credentials",
    /// A list's cursor that is not a previous page's next_cursor.
    InvalidCursor = "invalid_cursor",
    /// A date not written YYYY-MM-DD.
    InvalidDate = "invalid_date",
    /// An API token lifetime outside 1 to 365 days.
    InvalidDays = "invalid_days",
    /// An e-mail address that is not one.
    InvalidEmail = "invalid_email",
    /// A form body that cannot be read.
    InvalidForm = "invalid_form",
    /// Several fields are wrong; each has its own code in `fields`.
    InvalidInput = "invalid_input",
    /// A request body that is not valid JSON for the endpoint.
    InvalidJson = "invalid_json",
    /// An organisation key that is not 3–40 lowercase letters, digits, dots or dashes.
    InvalidKey = "invalid_key",
    /// An API token without a name, or with one too long.
    InvalidLabel = "invalid_label",
    /// A list's limit outside 1 to the maximum.
    InvalidLimit = "invalid_limit",
    /// A form number that is not a valid number.
    InvalidNumber = "invalid_number",
    /// A credit code whose organisation code part is invalid.
    InvalidOrganisationCode = "invalid_organisation_code",
    /// A list filter whose value is not a number or not one of those allowed.
    InvalidParameter = "invalid_parameter",
    /// A percentage outside 0 to 100 or with more than two decimals.
    InvalidPercent = "invalid_percent",
    /// A phone number with characters other than digits, spaces, + and -.
    InvalidPhone = "invalid_phone",
    /// A performance target's value that is not a positive number with at most two decimals.
    InvalidTargetValue = "invalid_target_value",
    /// A time not written YYYY-MM-DD HH:MM.
    InvalidTime = "invalid_time",
    /// A multipart upload that cannot be read.
    InvalidUpload = "invalid_upload",
    /// A username that is not 3–40 lowercase letters, digits, dots, dashes or underscores.
    InvalidUsername = "invalid_username",
    /// A fiscal year outside 2000 to 2100.
    InvalidYear = "invalid_year",
    /// A direct award without its justification.
    JustificationRequired = "justification_required",
    /// A bidder whose kind of organisation the documents do not admit.
    KindNotAdmitted = "kind_not_admitted",
    /// A low price that has already been judged.
    LowPriceDecided = "low_price_decided",
    /// A bidder already asked to justify its low price.
    LowPriceFlagged = "low_price_flagged",
    /// The report waits for the committee's judgement of a low price.
    LowPricePending = "low_price_pending",
    /// A method that awards the lowest compliant price is given other scoring.
    LowestPriceRequired = "lowest_price_required",
    /// Management fees above their cap without a reason.
    ManagementFeeAboveCap = "management_fee_above_cap",
    /// Scores are missing for some bid and criterion.
    MarksIncomplete = "marks_incomplete",
    /// The report waits for a committee member's scores.
    MarksMissing = "marks_missing",
    /// An HTTP method the path does not take (405).
    MethodNotAllowed = "method_not_allowed",
    /// A method that cannot be approved at or above the open-tender threshold.
    MethodNotApprovable = "method_not_approvable",
    /// After a failure, a method other than the same one or the one finance approved.
    MethodNotApproved = "method_not_approved",
    /// A milestone accepted or paid before it is due.
    MilestoneNotDue = "milestone_not_due",
    /// Milestone payment shares that do not add up to 100%.
    MilestonesNotHundredPercent = "milestones_not_hundred_percent",
    /// Milestones not in date order.
    MilestonesOutOfOrder = "milestones_out_of_order",
    /// A price or call-off amount of zero or less.
    MustBePositive = "must_be_positive",
    /// A negative amount.
    NegativeAmount = "negative_amount",
    /// Voiding an award when there is none.
    NoAward = "no_award",
    /// Evaluating with no bids.
    NoBids = "no_bids",
    /// A framework contract with a provider nothing was called off from.
    NoCallOff = "no_call_off",
    /// A committee action before the committee is drawn.
    NoCommittee = "no_committee",
    /// Marks under the lowest-price method, which has none.
    NoMarks = "no_marks",
    /// A single-source notice for a case other than the only-one-supplier case.
    NoNoticeForCase = "no_notice_for_case",
    /// Accepting a milestone the provider has not reported on.
    NoReportToDecide = "no_report_to_decide",
    /// Deciding a method change when none is waiting.
    NoSwitchRequest = "no_switch_request",
    /// A final offer from a supplier not in the negotiation.
    NotABidder = "not_a_bidder",
    /// A budget or grant to an organisation that is not a purchasing department.
    NotADepartment = "not_a_department",
    /// A call-off in a procurement that is not a framework agreement.
    NotAFramework = "not_a_framework",
    /// A call-off from a provider not in the framework.
    NotAMember = "not_a_member",
    /// A challenge from a provider not taking part.
    NotAParticipant = "not_a_participant",
    /// A tie broken in favour of a bid not ranked first.
    NotATiedBid = "not_a_tied_bid",
    /// A bid when bids are not being accepted.
    NotAcceptingBids = "not_accepting_bids",
    /// A third-party evaluation commissioned from an organisation that is not a verified evaluator.
    NotAnEvaluator = "not_an_evaluator",
    /// A consequence given for a dismissed complaint.
    NotApplicable = "not_applicable",
    /// A department that may not approve another method at this amount decides on it.
    NotApprovalAuthority = "not_approval_authority",
    /// Handling a milestone other than the current one.
    NotCurrentMilestone = "not_current_milestone",
    /// Too few experts without a conflict cover the category.
    NotEnoughExperts = "not_enough_experts",
    /// No such object, or not visible to the actor (404).
    NotFound = "not_found",
    /// A provider not invited to an invitation-only procurement.
    NotInvited = "not_invited",
    /// An organisation kind that cannot be a provider.
    NotProviderKind = "not_provider_kind",
    /// A purchaser's representative who does not work for the purchaser.
    NotPurchaserStaff = "not_purchaser_staff",
    /// A challenge about something that does not exist yet.
    NothingToChallenge = "nothing_to_challenge",
    /// Replacing experts when none needs replacing.
    NothingToReplace = "nothing_to_replace",
    /// Single source for the only-one-supplier case before its notice is published.
    NoticeFirst = "notice_first",
    /// Going on while the single-source notice has not ended.
    NoticeRunning = "notice_running",
    /// Another method at or above the open-tender threshold without approval.
    OpenTenderRequired = "open_tender_required",
    /// A small-business price deduction outside the statutory range.
    OutOfRange = "out_of_range",
    /// An administrator acting on their own account.
    OwnAccount = "own_account",
    /// A reset password must be changed before anything else.
    PasswordChangeRequired = "password_change_required",
    /// The two new passwords differ.
    PasswordMismatch = "password_mismatch",
    /// A new password equal to the current one.
    PasswordUnchanged = "password_unchanged",
    /// A request body above the size limit (413).
    PayloadTooLarge = "payload_too_large",
    /// A service period that ends before it starts.
    PeriodEndBeforeStart = "period_end_before_start",
    /// A service period starting too long before the design.
    PeriodStartTooEarly = "period_start_too_early",
    /// A service period longer than allowed.
    PeriodTooLong = "period_too_long",
    /// A statutory period shorter than the law allows.
    PeriodTooShort = "period_too_short",
    /// Vacating a post that is already vacant.
    PostVacant = "post_vacant",
    /// Posts in a project purchase, which has none.
    PostsInProjectPurchase = "posts_in_project_purchase",
    /// A bid or awarded price above the budget.
    PriceAboveBudget = "price_above_budget",
    /// A unit price or bid price of zero or less.
    PriceNotPositive = "price_not_positive",
    /// A price weight outside the range for the method.
    PriceWeightOutOfRange = "price_weight_out_of_range",
    /// The project already has a procurement under way.
    ProcurementRunning = "procurement_running",
    /// An application for another method after the procurement started.
    ProcurementStarted = "procurement_started",
    /// An action while finance has suspended the procurement.
    ProcurementSuspended = "procurement_suspended",
    /// A provider finance has barred from government purchasing (政府采购法 §77) interests, bids, wins or signs.
    ProviderBarred = "provider_barred",
    /// A provider that is deregistered or suspended.
    ProviderInactive = "provider_inactive",
    /// An organisation that is not an eligible provider.
    ProviderIneligible = "provider_ineligible",
    /// A bid from a provider civil affairs has not verified.
    ProviderNotVerified = "provider_not_verified",
    /// A cost line quantity of zero or less.
    QuantityNotPositive = "quantity_not_positive",
    /// A date range whose end is before its start.
    RangeReversed = "range_reversed",
    /// Too many submissions from this address in a while (429).
    RateLimited = "rate_limited",
    /// An action that needs a reason given without one.
    ReasonRequired = "reason_required",
    /// A region code that does not extend its parent's.
    RegionCodeNotUnderParent = "region_code_not_under_parent",
    /// A region whose level is not below its parent's (nothing lies under a village).
    RegionLevelNotUnderParent = "region_level_not_under_parent",
    /// A provider registration that has already been decided.
    RegistrationDecided = "registration_decided",
    /// Civil affairs verifies a registration whose registry entry or registration certificate is missing.
    RegistryIncomplete = "registry_incomplete",
    /// A complaint before the challenge's reply is due.
    ReplyPending = "reply_pending",
    /// A required field left empty.
    Required = "required",
    /// Final offers before any negotiation round.
    RoundRequired = "round_required",
    /// A method change to the method already in use.
    SameMethod = "same_method",
    /// A score that is not a number with at most two decimals.
    ScoreFormat = "score_format",
    /// A score outside 0 to 100.
    ScoreOutOfRange = "score_out_of_range",
    /// A reviewer from the purchasing organisation, or the designer, reviews the project.
    SeparationOfDuties = "separation_of_duties",
    /// A report on a milestone whose service has not started.
    ServiceNotStarted = "service_not_started",
    /// A milestone payment share of zero or less.
    ShareNotPositive = "share_not_positive",
    /// As many password checks as the server allows are running.
    SignInBusy = "sign_in_busy",
    /// A signing date before the award or approval, or in the future.
    SignedOnOutOfRange = "signed_on_out_of_range",
    /// A post holder's start date outside the contract term.
    SinceOutsideTerm = "since_outside_term",
    /// A public form that looks automated: its hidden field filled, or sent sooner than a person could fill it.
    SpamSuspected = "spam_suspected",
    /// Purchases split to stay below the open-tender threshold.
    SplitPurchase = "split_purchase",
    /// The object changed since it was read (optimistic concurrency).
    StaleVersion = "stale_version",
    /// The disk is full; nothing can be saved (503).
    StorageFull = "storage_full",
    /// Supplementary contracts above their share of the original amount.
    SupplementAboveLimit = "supplement_above_limit",
    /// A survey answered while the service is not running (before the contract, after acceptance).
    SurveyClosed = "survey_closed",
    /// Suspensions beyond 30 days in all.
    SuspensionTooLong = "suspension_too_long",
    /// A method change while another request awaits finance's decision.
    SwitchPending = "switch_pending",
    /// A contract term beginning before the award.
    TermBeforeAward = "term_before_award",
    /// A contract term that ends before it starts.
    TermEndBeforeStart = "term_end_before_start",
    /// A contract term that does not include the funded years.
    TermOutsideFundingYears = "term_outside_funding_years",
    /// A tie broken without recording why.
    TieReasonRequired = "tie_reason_required",
    /// Experts fewer than two thirds of the committee.
    TooFewExperts = "too_few_experts",
    /// Fewer invited providers than the method needs.
    TooFewInvited = "too_few_invited",
    /// A framework agreement with fewer than two providers.
    TooFewMembers = "too_few_members",
    /// A text longer than its maximum.
    TooLong = "too_long",
    /// Too many failed sign-ins from this address (429).
    TooManyAttempts = "too_many_attempts",
    /// An amount with more than two decimals.
    TooManyDecimals = "too_many_decimals",
    /// A cost estimate with more lines than allowed.
    TooManyLines = "too_many_lines",
    /// No valid session or token (401).
    Unauthenticated = "unauthenticated",
    /// A mark or ranking for a bid that does not exist.
    UnknownBid = "unknown_bid",
    /// A budget line that does not exist.
    UnknownBudget = "unknown_budget",
    /// A category not in the guidance catalogue.
    UnknownCategory = "unknown_category",
    /// A mark for a criterion that does not exist.
    UnknownCriterion = "unknown_criterion",
    /// A decision other than the two offered.
    UnknownDecision = "unknown_decision",
    /// A file that does not exist or is not this object's.
    UnknownFile = "unknown_file",
    /// A fund source that is not one of the known ones.
    UnknownFundSource = "unknown_fund_source",
    /// An acceptance result for an indicator not among the project's targets.
    UnknownIndicator = "unknown_indicator",
    /// A scheduled job name that does not exist.
    UnknownJob = "unknown_job",
    /// An organisation that does not exist or does not fit the role.
    UnknownOrganisation = "unknown_organisation",
    /// A list query parameter the endpoint does not take.
    UnknownParameter = "unknown_parameter",
    /// A reply to a clarification question that does not exist.
    UnknownQuestion = "unknown_question",
    /// A referenced object does not exist (the store's foreign-key violation).
    UnknownReference = "unknown_reference",
    /// A region that does not exist, or is missing where one is needed.
    UnknownRegion = "unknown_region",
    /// A role that does not exist.
    UnknownRole = "unknown_role",
    /// A spending standard that does not exist.
    UnknownStandard = "unknown_standard",
    /// A user that does not exist.
    UnknownUser = "unknown_user",
    /// A choice that is not one of the allowed values.
    UnknownValue = "unknown_value",
    /// A body that is not sent as JSON (415).
    UnsupportedMediaType = "unsupported_media_type",
    /// A registration whose unified social credit code is already registered.
    UsccTaken = "uscc_taken",
    /// Enabling a user who is already active.
    UserAlreadyActive = "user_already_active",
    /// Disabling a user who is already disabled.
    UserAlreadyDisabled = "user_already_disabled",
    /// A registration with a username already taken.
    UsernameTaken = "username_taken",
    /// A password that breaks the password rules.
    WeakPassword = "weak_password",
    /// A scoring weight of zero or less.
    WeightNotPositive = "weight_not_positive",
    /// Scoring weights, price included, that do not add up to 100%.
    WeightsNot100 = "weights_not_100",
    /// An identifier of the wrong length.
    WrongLength = "wrong_length",
    /// A password change with the wrong current password.
    WrongPassword = "wrong_password",
    /// An action the procurement's current stage does not allow.
    WrongStage = "wrong_stage",
    /// An action the project's current step does not allow.
    WrongStep = "wrong_step",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is none of the codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownErrorCode(pub String);

impl fmt::Display for UnknownErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown error code “{}”", self.0)
    }
}

impl std::error::Error for UnknownErrorCode {}

impl FromStr for ErrorCode {
    type Err = UnknownErrorCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == s).ok_or_else(|| UnknownErrorCode(s.to_string()))
    }
}

/// Serialised as its wire string, so bodies read exactly as they did when codes were strings.
impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Documented as a string that is one of the codes, so clients can generate the set.
#[cfg(feature = "openapi")]
mod schema {
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
    use utoipa::openapi::RefOr;

    use super::ErrorCode;

    impl utoipa::PartialSchema for ErrorCode {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("A stable snake_case error code."))
                .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.as_str())))
                .into()
        }
    }
    impl utoipa::ToSchema for ErrorCode {}
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_sorted() {
        let wire: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        let unique: BTreeSet<&str> = wire.iter().copied().collect();
        assert_eq!(unique.len(), wire.len(), "a wire string is used twice");
        assert_eq!(unique.iter().copied().collect::<Vec<_>>(), wire, "keep the list alphabetical");
        for code in wire {
            let mut chars = code.chars();
            let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
            let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            assert!(first_ok && rest_ok, "{code} is not snake_case");
        }
    }

    #[test]
    fn every_code_parses_back_and_unknown_ones_do_not() {
        for &code in ErrorCode::ALL {
            assert_eq!(code.as_str().parse::<ErrorCode>(), Ok(code));
            assert_eq!(code.to_string(), code.as_str());
        }
        assert_eq!("no_such_code".parse::<ErrorCode>(), Err(UnknownErrorCode("no_such_code".into())));
        assert!("Required".parse::<ErrorCode>().is_err(), "codes are case-sensitive");
    }

    #[test]
    fn serde_round_trips_as_the_wire_string() {
        for &code in ErrorCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::Value::String(code.as_str().into()));
            assert_eq!(serde_json::from_value::<ErrorCode>(json).unwrap(), code);
        }
        assert!(serde_json::from_str::<ErrorCode>("\"no_such_code\"").is_err());
    }
}

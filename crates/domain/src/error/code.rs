//! STUB
use std::fmt;
use std::str::FromStr;

macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $wire:literal,)+) => {
        /// The closed set of codes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl ErrorCode {
            /// Every code, in the order listed here.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The code on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $wire,)+
                }
            }
        }
    };
}

error_codes! {
    /// TODO
    AboveProcurementLimit = "above_procurement_limit",
    /// TODO
    AboveStandard = "above_standard",
    /// TODO
    AccountDisabled = "account_disabled",
    /// TODO
    AccountRequired = "account_required",
    /// TODO
    AlreadyComplained = "already_complained",
    /// TODO
    AlreadyDeclared = "already_declared",
    /// TODO
    AlreadyExists = "already_exists",
    /// TODO
    AlreadyInPool = "already_in_pool",
    /// TODO
    AlreadyReplied = "already_replied",
    /// TODO
    AmountNotPositive = "amount_not_positive",
    /// TODO
    AmountTooLarge = "amount_too_large",
    /// TODO
    ApprovalDecided = "approval_decided",
    /// TODO
    ApprovalMismatch = "approval_mismatch",
    /// TODO
    ApprovalNotNeeded = "approval_not_needed",
    /// TODO
    ApprovalPending = "approval_pending",
    /// TODO
    ApprovalRequired = "approval_required",
    /// TODO
    BeforeComplaint = "before_complaint",
    /// TODO
    BidsNotReadable = "bids_not_readable",
    /// TODO
    BidsSealed = "bids_sealed",
    /// TODO
    BudgetExceeded = "budget_exceeded",
    /// TODO
    BudgetNotYours = "budget_not_yours",
    /// TODO
    BudgetRepeated = "budget_repeated",
    /// TODO
    CalendarYearMissing = "calendar_year_missing",
    /// TODO
    CategoryNotInCatalogue = "category_not_in_catalogue",
    /// TODO
    CategoryOnNegativeList = "category_on_negative_list",
    /// TODO
    ChallengeLate = "challenge_late",
    /// TODO
    ChallengeOpen = "challenge_open",
    /// TODO
    CheckCharacterMismatch = "check_character_mismatch",
    /// TODO
    ClassOneIneligible = "class_one_ineligible",
    /// TODO
    ClockBackwards = "clock_backwards",
    /// TODO
    CommentRequired = "comment_required",
    /// TODO
    CommitteeDrawn = "committee_drawn",
    /// TODO
    CommitteeIncomplete = "committee_incomplete",
    /// TODO
    CommitteeSizeEven = "committee_size_even",
    /// TODO
    CommitteeTooSmall = "committee_too_small",
    /// TODO
    ComplaintDecided = "complaint_decided",
    /// TODO
    ComplaintLate = "complaint_late",
    /// TODO
    ComplianceMissing = "compliance_missing",
    /// TODO
    ComprehensiveRequired = "comprehensive_required",
    /// TODO
    ConfirmationMissing = "confirmation_missing",
    /// TODO
    ContractExceedsEstimate = "contract_exceeds_estimate",
    /// TODO
    ContractNotAwardPrice = "contract_not_award_price",
    /// TODO
    ContractTermTooLong = "contract_term_too_long",
    /// TODO
    CostEstimateMissing = "cost_estimate_missing",
    /// TODO
    CsrfTokenInvalid = "csrf_token_invalid",
    /// TODO
    DatabaseUnavailable = "database_unavailable",
    /// TODO
    DateInFuture = "date_in_future",
    /// TODO
    DateOutOfRange = "date_out_of_range",
    /// TODO
    DeadlineInPast = "deadline_in_past",
    /// TODO
    DeadlinePassed = "deadline_passed",
    /// TODO
    DeclarationMissing = "declaration_missing",
    /// TODO
    DeclarationRequired = "declaration_required",
    /// TODO
    DeductionOutOfRange = "deduction_out_of_range",
    /// TODO
    DonorRequired = "donor_required",
    /// TODO
    DueOutsideTerm = "due_outside_term",
    /// TODO
    DuplicateBid = "duplicate_bid",
    /// TODO
    DuplicateCriterion = "duplicate_criterion",
    /// TODO
    DuplicateExpert = "duplicate_expert",
    /// TODO
    DuplicateMark = "duplicate_mark",
    /// TODO
    Empty = "empty",
    /// TODO
    ExpertsExceedMembers = "experts_exceed_members",
    /// TODO
    ExplanationLate = "explanation_late",
    /// TODO
    ExplanationPending = "explanation_pending",
    /// TODO
    FileEmpty = "file_empty",
    /// TODO
    FileTooLarge = "file_too_large",
    /// TODO
    FileTypeNotAllowed = "file_type_not_allowed",
    /// TODO
    FiscalYearClosed = "fiscal_year_closed",
    /// TODO
    FiscalYearNotEnded = "fiscal_year_not_ended",
    /// TODO
    Forbidden = "forbidden",
    /// TODO
    FrameworkExhausted = "framework_exhausted",
    /// TODO
    FundingNotTotal = "funding_not_total",
    /// TODO
    FundingRequired = "funding_required",
    /// TODO
    FundingYearOutsideService = "funding_year_outside_service",
    /// TODO
    GrantToSelf = "grant_to_self",
    /// TODO
    HoursNegative = "hours_negative",
    /// TODO
    IncompletePost = "incomplete_post",
    /// TODO
    IncompleteTarget = "incomplete_target",
    /// TODO
    IntentionPeriod = "intention_period",
    /// TODO
    InternalError = "internal_error",
    /// TODO
    InvalidAgency = "invalid_agency",
    /// TODO
    InvalidAmount = "invalid_amount",
    /// TODO
    InvalidBirthDate = "invalid_birth_date",
    /// TODO
    InvalidCharacter = "invalid_character",
    /// TODO
    InvalidCode = "invalid_code",
    /// TODO
    InvalidCount = "invalid_count",
    /// TODO
    InvalidCredentials = "invalid_credentials",
    /// TODO
    InvalidCursor = "invalid_cursor",
    /// TODO
    InvalidDate = "invalid_date",
    /// TODO
    InvalidDays = "invalid_days",
    /// TODO
    InvalidForm = "invalid_form",
    /// TODO
    InvalidInput = "invalid_input",
    /// TODO
    InvalidJson = "invalid_json",
    /// TODO
    InvalidKey = "invalid_key",
    /// TODO
    InvalidLabel = "invalid_label",
    /// TODO
    InvalidLimit = "invalid_limit",
    /// TODO
    InvalidNumber = "invalid_number",
    /// TODO
    InvalidOrganisationCode = "invalid_organisation_code",
    /// TODO
    InvalidParameter = "invalid_parameter",
    /// TODO
    InvalidPercent = "invalid_percent",
    /// TODO
    InvalidTime = "invalid_time",
    /// TODO
    InvalidUpload = "invalid_upload",
    /// TODO
    InvalidUsername = "invalid_username",
    /// TODO
    InvalidYear = "invalid_year",
    /// TODO
    JustificationRequired = "justification_required",
    /// TODO
    KindNotAdmitted = "kind_not_admitted",
    /// TODO
    LowPriceDecided = "low_price_decided",
    /// TODO
    LowPriceFlagged = "low_price_flagged",
    /// TODO
    LowPricePending = "low_price_pending",
    /// TODO
    LowestPriceRequired = "lowest_price_required",
    /// TODO
    ManagementFeeAboveCap = "management_fee_above_cap",
    /// TODO
    MarksIncomplete = "marks_incomplete",
    /// TODO
    MarksMissing = "marks_missing",
    /// TODO
    MethodNotApprovable = "method_not_approvable",
    /// TODO
    MethodNotApproved = "method_not_approved",
    /// TODO
    MilestoneNotDue = "milestone_not_due",
    /// TODO
    MilestonesNotHundredPercent = "milestones_not_hundred_percent",
    /// TODO
    MilestonesOutOfOrder = "milestones_out_of_order",
    /// TODO
    MustBePositive = "must_be_positive",
    /// TODO
    NegativeAmount = "negative_amount",
    /// TODO
    NoAward = "no_award",
    /// TODO
    NoBids = "no_bids",
    /// TODO
    NoCallOff = "no_call_off",
    /// TODO
    NoCommittee = "no_committee",
    /// TODO
    NoMarks = "no_marks",
    /// TODO
    NoNoticeForCase = "no_notice_for_case",
    /// TODO
    NoReportToDecide = "no_report_to_decide",
    /// TODO
    NoSwitchRequest = "no_switch_request",
    /// TODO
    NotABidder = "not_a_bidder",
    /// TODO
    NotADepartment = "not_a_department",
    /// TODO
    NotAFramework = "not_a_framework",
    /// TODO
    NotAMember = "not_a_member",
    /// TODO
    NotAParticipant = "not_a_participant",
    /// TODO
    NotATiedBid = "not_a_tied_bid",
    /// TODO
    NotAcceptingBids = "not_accepting_bids",
    /// TODO
    NotApplicable = "not_applicable",
    /// TODO
    NotApprovalAuthority = "not_approval_authority",
    /// TODO
    NotCurrentMilestone = "not_current_milestone",
    /// TODO
    NotEnoughExperts = "not_enough_experts",
    /// TODO
    NotFound = "not_found",
    /// TODO
    NotInvited = "not_invited",
    /// TODO
    NotProviderKind = "not_provider_kind",
    /// TODO
    NotPurchaserStaff = "not_purchaser_staff",
    /// TODO
    NothingToChallenge = "nothing_to_challenge",
    /// TODO
    NothingToReplace = "nothing_to_replace",
    /// TODO
    NoticeFirst = "notice_first",
    /// TODO
    NoticeRunning = "notice_running",
    /// TODO
    OpenTenderRequired = "open_tender_required",
    /// TODO
    OutOfRange = "out_of_range",
    /// TODO
    OwnAccount = "own_account",
    /// TODO
    PasswordChangeRequired = "password_change_required",
    /// TODO
    PasswordMismatch = "password_mismatch",
    /// TODO
    PasswordUnchanged = "password_unchanged",
    /// TODO
    PeriodEndBeforeStart = "period_end_before_start",
    /// TODO
    PeriodStartTooEarly = "period_start_too_early",
    /// TODO
    PeriodTooLong = "period_too_long",
    /// TODO
    PeriodTooShort = "period_too_short",
    /// TODO
    PostVacant = "post_vacant",
    /// TODO
    PostsInProjectPurchase = "posts_in_project_purchase",
    /// TODO
    PriceAboveBudget = "price_above_budget",
    /// TODO
    PriceNotPositive = "price_not_positive",
    /// TODO
    PriceWeightOutOfRange = "price_weight_out_of_range",
    /// TODO
    ProcurementRunning = "procurement_running",
    /// TODO
    ProcurementStarted = "procurement_started",
    /// TODO
    ProcurementSuspended = "procurement_suspended",
    /// TODO
    ProviderInactive = "provider_inactive",
    /// TODO
    ProviderIneligible = "provider_ineligible",
    /// TODO
    ProviderNotVerified = "provider_not_verified",
    /// TODO
    QuantityNotPositive = "quantity_not_positive",
    /// TODO
    RangeReversed = "range_reversed",
    /// TODO
    ReasonRequired = "reason_required",
    /// TODO
    RegionCodeNotUnderParent = "region_code_not_under_parent",
    /// TODO
    RegistrationDecided = "registration_decided",
    /// TODO
    ReplyPending = "reply_pending",
    /// TODO
    Required = "required",
    /// TODO
    RoundRequired = "round_required",
    /// TODO
    SameMethod = "same_method",
    /// TODO
    ScoreFormat = "score_format",
    /// TODO
    ScoreOutOfRange = "score_out_of_range",
    /// TODO
    SeparationOfDuties = "separation_of_duties",
    /// TODO
    ServiceNotStarted = "service_not_started",
    /// TODO
    ShareNotPositive = "share_not_positive",
    /// TODO
    SignInBusy = "sign_in_busy",
    /// TODO
    SignedOnOutOfRange = "signed_on_out_of_range",
    /// TODO
    SinceOutsideTerm = "since_outside_term",
    /// TODO
    SplitPurchase = "split_purchase",
    /// TODO
    StaleVersion = "stale_version",
    /// TODO
    StorageFull = "storage_full",
    /// TODO
    SupplementAboveLimit = "supplement_above_limit",
    /// TODO
    SuspensionTooLong = "suspension_too_long",
    /// TODO
    SwitchPending = "switch_pending",
    /// TODO
    TermBeforeAward = "term_before_award",
    /// TODO
    TermEndBeforeStart = "term_end_before_start",
    /// TODO
    TermOutsideFundingYears = "term_outside_funding_years",
    /// TODO
    TieReasonRequired = "tie_reason_required",
    /// TODO
    TooFewExperts = "too_few_experts",
    /// TODO
    TooFewInvited = "too_few_invited",
    /// TODO
    TooFewMembers = "too_few_members",
    /// TODO
    TooLong = "too_long",
    /// TODO
    TooManyAttempts = "too_many_attempts",
    /// TODO
    TooManyDecimals = "too_many_decimals",
    /// TODO
    TooManyLines = "too_many_lines",
    /// TODO
    Unauthenticated = "unauthenticated",
    /// TODO
    UnknownBid = "unknown_bid",
    /// TODO
    UnknownBudget = "unknown_budget",
    /// TODO
    UnknownCategory = "unknown_category",
    /// TODO
    UnknownCriterion = "unknown_criterion",
    /// TODO
    UnknownDecision = "unknown_decision",
    /// TODO
    UnknownFile = "unknown_file",
    /// TODO
    UnknownFundSource = "unknown_fund_source",
    /// TODO
    UnknownIndicator = "unknown_indicator",
    /// TODO
    UnknownJob = "unknown_job",
    /// TODO
    UnknownOrganisation = "unknown_organisation",
    /// TODO
    UnknownParameter = "unknown_parameter",
    /// TODO
    UnknownQuestion = "unknown_question",
    /// TODO
    UnknownReference = "unknown_reference",
    /// TODO
    UnknownRegion = "unknown_region",
    /// TODO
    UnknownRole = "unknown_role",
    /// TODO
    UnknownStandard = "unknown_standard",
    /// TODO
    UnknownUser = "unknown_user",
    /// TODO
    UnknownValue = "unknown_value",
    /// TODO
    UsccTaken = "uscc_taken",
    /// TODO
    UserAlreadyActive = "user_already_active",
    /// TODO
    UserAlreadyDisabled = "user_already_disabled",
    /// TODO
    UsernameTaken = "username_taken",
    /// TODO
    WeakPassword = "weak_password",
    /// TODO
    WeightNotPositive = "weight_not_positive",
    /// TODO
    WeightsNot100 = "weights_not_100",
    /// TODO
    WrongLength = "wrong_length",
    /// TODO
    WrongPassword = "wrong_password",
    /// TODO
    WrongStage = "wrong_stage",
    /// TODO
    WrongStep = "wrong_step",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownErrorCode(pub String);

impl fmt::Display for UnknownErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown error code {:?}", self.0)
    }
}

impl std::error::Error for UnknownErrorCode {}

impl FromStr for ErrorCode {
    type Err = UnknownErrorCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == s).ok_or_else(|| UnknownErrorCode(s.to_string()))
    }
}

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

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.as_str())))
            .into()
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ErrorCode {}

//! The OpenAPI 3.1 document of `/api/v1`, built from one table of operations. Each operation names who
//! may call it (`x-roles`: `public`, `signed_in`, or role codes); the access-matrix test reads that.

use serde_json::{json, Map, Value};

pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// `public`, `signed_in`, or the roles that may succeed.
    pub roles: &'static [&'static str],
    pub body: Option<&'static str>,
    /// Success status.
    pub status: u16,
}

const PURCHASER: &[&str] = &["purchaser"];
const SIGNED_IN: &[&str] = &["signed_in"];
const PUBLIC: &[&str] = &["public"];
const ADMIN: &[&str] = &["admin"];
/// Reviewers of a civil-affairs department.
const REVIEWER: &[&str] = &["reviewer"];
/// Reviewers of a finance department, and administrators.
const FINANCE: &[&str] = &["admin", "reviewer"];
/// Who runs a procurement: the purchaser's staff or the agency it entrusted.
const RUNNER: &[&str] = &["purchaser", "agency"];
const PROVIDER: &[&str] = &["provider"];
const EXPERT: &[&str] = &["expert"];
/// Committee members: drawn experts and the purchaser's representatives.
const COMMITTEE: &[&str] = &["expert", "purchaser"];
/// Reviewers of a finance department (the domain checks the department).
const FINANCE_REVIEWER: &[&str] = &["reviewer"];
/// Who may read an application for another method: its department, finance, supervisors, administrators.
const APPROVAL_READERS: &[&str] = &["admin", "purchaser", "reviewer", "supervisor"];

pub const OPERATIONS: &[Operation] = &[
    Operation {
        method: "post",
        path: "/session",
        summary: "Sign in; returns a bearer token (401 invalid_credentials; 429 too_many_attempts or sign_in_busy with Retry-After; 403 account_disabled)",
        roles: PUBLIC,
        body: Some("Credentials"),
        status: 201,
    },
    Operation {
        method: "delete",
        path: "/session",
        summary: "Sign out (ends this token)",
        roles: SIGNED_IN,
        body: None,
        status: 204,
    },
    Operation {
        method: "get",
        path: "/tokens",
        summary: "My named API tokens (never the tokens themselves)",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/tokens",
        summary: "Create a named API token for scripts; the token is shown once",
        roles: SIGNED_IN,
        body: Some("Token"),
        status: 201,
    },
    Operation {
        method: "delete",
        path: "/tokens/{token_id}",
        summary: "Revoke one of my API tokens",
        roles: SIGNED_IN,
        body: None,
        status: 204,
    },
    Operation {
        method: "get",
        path: "/me",
        summary: "The signed-in user, organisation and roles, and whether the password must be changed first",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "put",
        path: "/me/password",
        summary: "Change my password (the current one is required); my other sessions and tokens end",
        roles: SIGNED_IN,
        body: Some("PasswordChange"),
        status: 204,
    },
    Operation {
        method: "get",
        path: "/regions",
        summary: "Regions: district, townships/streets, villages/communities",
        roles: PUBLIC,
        body: None,
        status: 200,
    },
    Operation {
        method: "get",
        path: "/catalogue",
        summary: "Guidance catalogue and negative list",
        roles: PUBLIC,
        body: None,
        status: 200,
    },
    Operation {
        method: "get",
        path: "/organisations",
        summary: "Organisations (individuals' ID numbers masked)",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/organisations",
        summary: "Register an organisation",
        roles: ADMIN,
        body: Some("Organisation"),
        status: 201,
    },
    Operation { method: "get", path: "/users", summary: "Users", roles: ADMIN, body: None, status: 200 },
    Operation { method: "post", path: "/users", summary: "Add a user", roles: ADMIN, body: Some("User"), status: 201 },
    Operation {
        method: "post",
        path: "/users/{id}/disable",
        summary: "Disable a user: no sign-in, and their sessions and tokens stop at once",
        roles: ADMIN,
        body: Some("Reason"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/users/{id}/enable",
        summary: "Enable a disabled user again",
        roles: ADMIN,
        body: Some("Reason"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/users/{id}/password-reset",
        summary: "Reset a user's password: returns a temporary password, shown once, that must be changed at the next sign-in",
        roles: ADMIN,
        body: Some("Reason"),
        status: 200,
    },
    Operation { method: "get", path: "/queue", summary: "What waits on me, newest first, one page", roles: SIGNED_IN, body: None, status: 200 },
    Operation {
        method: "get",
        path: "/projects",
        summary: "Projects I may see, newest first, one page (filters: step, year, region, category, purchaser, provider)",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects",
        summary: "Design a new purchase project",
        roles: PURCHASER,
        body: Some("Design"),
        status: 201,
    },
    Operation {
        method: "get",
        path: "/projects/{id}",
        summary: "One project",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "get",
        path: "/projects/{id}/history",
        summary: "The project's audit history",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "put",
        path: "/projects/{id}/design",
        summary: "Edit the design (design and cost-estimate steps)",
        roles: PURCHASER,
        body: Some("Design"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects/{id}/finish-design",
        summary: "Finish the design; go on to the cost estimate",
        roles: PURCHASER,
        body: None,
        status: 200,
    },
    Operation {
        method: "put",
        path: "/projects/{id}/cost-estimate",
        summary: "Set the cost estimate's lines",
        roles: PURCHASER,
        body: Some("CostEstimate"),
        status: 200,
    },
    Operation {
        method: "put",
        path: "/projects/{id}/funding",
        summary: "Say which of the department's budget lines pay the estimate (must add up to it)",
        roles: PURCHASER,
        body: Some("Funding"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects/{id}/submit",
        summary: "Submit for review",
        roles: PURCHASER,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects/{id}/review",
        summary: "Approve or return at the current review stage",
        roles: &["reviewer"],
        body: Some("Review"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects/{id}/award",
        summary: "Record a direct award to an eligible provider",
        roles: PURCHASER,
        body: Some("Award"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects/{id}/contract",
        summary: "Record the signed contract",
        roles: PURCHASER,
        body: Some("Contract"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects/{id}/milestones/{n}/report",
        summary: "File the service report of milestone n (0-based)",
        roles: &["provider"],
        body: Some("Report"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects/{id}/milestones/{n}/decision",
        summary: "Accept or reject milestone n",
        roles: PURCHASER,
        body: Some("Decision"),
        status: 200,
    },
    Operation {
        method: "put",
        path: "/projects/{id}/posts/{n}/holder",
        summary: "Put a social worker the provider employs into post n (0-based)",
        roles: &["provider"],
        body: Some("PostHolder"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects/{id}/posts/{n}/vacate",
        summary: "Record that post n's holder left; the post is vacant",
        roles: &["provider"],
        body: Some("Reason"),
        status: 200,
    },
    Operation {
        method: "get",
        path: "/posts",
        summary: "Bought social-work posts: host unit, holder and certification, yearly cost, vacancies",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects/{id}/cancel",
        summary: "Cancel before the contract",
        roles: PURCHASER,
        body: Some("Reason"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects/{id}/terminate",
        summary: "Terminate a signed contract",
        roles: PURCHASER,
        body: Some("Reason"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects/{id}/supplements",
        summary: "Propose a supplementary contract (together ≤ 10 % of the original) with its funding lines",
        roles: PURCHASER,
        body: Some("Supplement"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects/{id}/supplements/{n}/review",
        summary: "Finance approves supplementary contract n (reserving its money) or returns it",
        roles: FINANCE_REVIEWER,
        body: Some("Review"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects/{id}/supplements/{n}/sign",
        summary: "Sign approved supplementary contract n: its money is committed, its milestone added",
        roles: PURCHASER,
        body: Some("Signing"),
        status: 200,
    },
    Operation {
        method: "get",
        path: "/fiscal-years",
        summary: "Fiscal years with budget lines, and whether finance has closed them",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/fiscal-years/{year}/close",
        summary: "Close a fiscal year that has ended: nothing more is reserved, allocated or granted from it",
        roles: FINANCE,
        body: None,
        status: 200,
    },
    Operation {
        method: "get",
        path: "/budgets",
        summary: "Budget lines with balances (available, reserved, committed, paid); ?year=",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/budgets",
        summary: "Allocate a budget line to a department (finance)",
        roles: &["admin", "reviewer"],
        body: Some("Budget"),
        status: 201,
    },
    Operation {
        method: "post",
        path: "/budgets/{id}/grants",
        summary: "Grant part of a budget line to another department",
        roles: &["admin", "reviewer", "purchaser"],
        body: Some("Grant"),
        status: 201,
    },
    Operation {
        method: "get",
        path: "/budgets/{id}/ledger",
        summary: "The append-only ledger of one budget line",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "get",
        path: "/statistics",
        summary: "Statistics of ?year= (all years without it) and ?region= (a subtree), as `report summary --json`; supervisors and finance",
        roles: &["admin", "supervisor", "reviewer"],
        body: None,
        status: 200,
    },
    Operation {
        method: "get",
        path: "/standards",
        summary: "Spending standards: the most one unit of a service may cost",
        roles: PUBLIC,
        body: None,
        status: 200,
    },
    Operation {
        method: "put",
        path: "/standards/{code}",
        summary: "Add or change a spending standard (finance)",
        roles: &["admin", "reviewer"],
        body: Some("Standard"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/files",
        summary: "Upload a file (multipart field `file`)",
        roles: &["purchaser", "provider"],
        body: Some("Upload"),
        status: 201,
    },
    Operation {
        method: "get",
        path: "/files/{id}",
        summary: "Download a file",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "get",
        path: "/audit/head",
        summary: "Current head of the audit chain (sequence number and hash)",
        roles: PUBLIC,
        body: None,
        status: 200,
    },
    Operation {
        method: "get",
        path: "/job-runs",
        summary: "Runs of the scheduled jobs (session_purge, deadline_sweep), newest first: ?job=&limit= (at most 1000)",
        roles: ADMIN,
        body: None,
        status: 200,
    },
    Operation {
        method: "get",
        path: "/audit/events",
        summary: "The audit chain after a sequence number: public; each payload only to readers in its scope",
        roles: PUBLIC,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/registrations",
        summary: "Register as a provider (no sign-in); pending until civil affairs verifies it",
        roles: PUBLIC,
        body: Some("Registration"),
        status: 201,
    },
    Operation {
        method: "get",
        path: "/registrations",
        summary: "Provider registrations, pending first (civil-affairs reviewers)",
        roles: REVIEWER,
        body: None,
        status: 200,
    },
    Operation {
        method: "get",
        path: "/registrations/mine",
        summary: "My organisation's registration and where it stands",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/registrations/{id}/verify",
        summary: "Verify a pending registration: the provider becomes active (civil-affairs reviewers)",
        roles: REVIEWER,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/registrations/{id}/reject",
        summary: "Reject a pending registration with a reason (civil-affairs reviewers)",
        roles: REVIEWER,
        body: Some("Reason"),
        status: 200,
    },
    Operation {
        method: "get",
        path: "/experts",
        summary: "The expert pool, inactive entries included (finance)",
        roles: FINANCE,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/experts",
        summary: "Add an expert to the pool, with a new or an existing account (finance)",
        roles: FINANCE,
        body: Some("Expert"),
        status: 201,
    },
    Operation {
        method: "get",
        path: "/experts/me",
        summary: "My own entry in the expert pool",
        roles: EXPERT,
        body: None,
        status: 200,
    },
    Operation {
        method: "put",
        path: "/experts/me",
        summary: "Declare my former employers and ties",
        roles: EXPERT,
        body: Some("Ties"),
        status: 200,
    },
    Operation {
        method: "get",
        path: "/experts/{id}",
        summary: "One expert, by user id (finance)",
        roles: FINANCE,
        body: None,
        status: 200,
    },
    Operation {
        method: "put",
        path: "/experts/{id}",
        summary: "Change an expert's categories, organisation, employers and ties, or deactivate them (finance)",
        roles: FINANCE,
        body: Some("Expert"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects/{id}/procurements",
        summary: "Start a procurement of an approved project by a statutory method (publishes the purchase intention)",
        roles: PURCHASER,
        body: Some("Procurement"),
        status: 201,
    },
    Operation {
        method: "get",
        path: "/procurements",
        summary: "Procurements I run, oversee or sit on; published ones for providers",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "get",
        path: "/procurements/{id}",
        summary: "One procurement: the working record, or a provider's own view (never another bidder's bid)",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/publish",
        summary: "Publish the announcement with the bid deadline (refused when shorter than the statutory periods)",
        roles: RUNNER,
        body: Some("Deadline"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/interest",
        summary: "Register interest and obtain the documents",
        roles: PROVIDER,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/questions",
        summary: "Ask the purchaser a question about the documents",
        roles: PROVIDER,
        body: Some("Text"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/clarifications",
        summary: "Publish a clarification; one affecting bids moves a deadline closer than 15 days",
        roles: RUNNER,
        body: Some("Clarification"),
        status: 200,
    },
    Operation {
        method: "get",
        path: "/procurements/{id}/bid",
        summary: "My own bid and final offer (the only read of a bid before the opening)",
        roles: PROVIDER,
        body: None,
        status: 200,
    },
    Operation {
        method: "put",
        path: "/procurements/{id}/bid",
        summary: "Submit or change my sealed bid before the deadline; returns its receipt",
        roles: PROVIDER,
        body: Some("Bid"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/bid/files",
        summary: "Upload a file for my coming bid, sealed like the bid; put its id in the bid's file_ids",
        roles: PROVIDER,
        body: Some("Upload"),
        status: 201,
    },
    Operation {
        method: "get",
        path: "/procurements/{id}/bid/files/{n}",
        summary: "A bid file: its own bidder; after the opening, declared committee members and the purchaser",
        roles: &["provider", "purchaser", "agency", "expert"],
        body: None,
        status: 200,
    },
    Operation {
        method: "delete",
        path: "/procurements/{id}/bid",
        summary: "Withdraw my bid before the deadline",
        roles: PROVIDER,
        body: None,
        status: 204,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/opening",
        summary: "Open the bids at or after the deadline, recording who attended",
        roles: RUNNER,
        body: Some("Opening"),
        status: 200,
    },
    Operation {
        method: "get",
        path: "/procurements/{id}/bids",
        summary: "Opened bids with their proposals (after the opening; declared committee members and the purchaser)",
        roles: &["purchaser", "agency", "expert"],
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/committee",
        summary: "Draw the evaluation committee from the expert pool (reproducible, conflicts excluded)",
        roles: RUNNER,
        body: Some("Committee"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/committee/replacements",
        summary: "Draw replacements for experts who recused themselves",
        roles: RUNNER,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/declaration",
        summary: "Declare, before seeing any bid, whether I have a conflict with the bidders",
        roles: EXPERT,
        body: Some("Declaration"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/rounds",
        summary: "Record a round of negotiation or consultation",
        roles: COMMITTEE,
        body: Some("Notes"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/final-offers",
        summary: "Call for sealed final offers by a deadline",
        roles: COMMITTEE,
        body: Some("FinalOffers"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/compliance",
        summary: "Record the compliance review of one bid",
        roles: COMMITTEE,
        body: Some("Compliance"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/marks",
        summary: "My scores of every bid on every criterion (comprehensive scoring; experts and the purchaser's representatives alike)",
        roles: COMMITTEE,
        body: Some("Marks"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/low-prices",
        summary: "Ask a bidder to justify an abnormally low price in writing by a deadline",
        roles: COMMITTEE,
        body: Some("LowPrice"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/low-prices/explanation",
        summary: "The asked bidder's written explanation of its price, before the deadline",
        roles: PROVIDER,
        body: Some("Text"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/low-prices/{n}/finding",
        summary: "Find bid n's price justified, or not (the bid is then void)",
        roles: COMMITTEE,
        body: Some("LowPriceFinding"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/report",
        summary: "Finish the evaluation and send the report to the purchaser",
        roles: COMMITTEE,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/award",
        summary: "Confirm the winner (on a tie, with the reason under the documents' rule)",
        roles: RUNNER,
        body: Some("Winner"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/negotiation",
        summary: "Single source: record the negotiated price and minutes (after the notice when only one supplier can do it)",
        roles: RUNNER,
        body: Some("Negotiation"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/abandon",
        summary: "End a running procurement with a reason",
        roles: RUNNER,
        body: Some("Reason"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/switch",
        summary: "After a failure, ask finance to approve another method",
        roles: PURCHASER,
        body: Some("Switch"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/switch/decision",
        summary: "Approve or refuse a change of method (at or above the open-tender threshold: a city's or higher finance department, with its document number)",
        roles: FINANCE_REVIEWER,
        body: Some("SwitchDecision"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/challenges",
        summary: "Challenge the documents, process or result (7 working days)",
        roles: PROVIDER,
        body: Some("Challenge"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/challenges/{n}/reply",
        summary: "Reply to a challenge (7 working days)",
        roles: RUNNER,
        body: Some("ChallengeReply"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/challenges/{n}/complaint",
        summary: "Complain to finance after the reply (15 working days)",
        roles: PROVIDER,
        body: Some("Text"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/challenges/{n}/pause",
        summary: "Exclude days from the complaint decision period (testing, appraisal, expert review)",
        roles: FINANCE_REVIEWER,
        body: Some("Pause"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/challenges/{n}/suspension",
        summary: "Suspend the procurement during a complaint (at most 30 days)",
        roles: FINANCE_REVIEWER,
        body: Some("Suspension"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/challenges/{n}/decision",
        summary: "Decide a complaint (30 working days): dismissed, or upheld with its consequence",
        roles: FINANCE_REVIEWER,
        body: Some("ComplaintDecision"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/procurements/{id}/call-offs",
        summary: "Framework agreement: call off an order from an admitted provider",
        roles: RUNNER,
        body: Some("CallOff"),
        status: 200,
    },
    Operation {
        method: "post",
        path: "/projects/{id}/method-approvals",
        summary: "Apply for a method other than open tender at or above the threshold, before the procurement starts",
        roles: PURCHASER,
        body: Some("MethodApproval"),
        status: 201,
    },
    Operation {
        method: "get",
        path: "/method-approvals",
        summary: "Applications for other methods that I may see",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "get",
        path: "/method-approvals/{id}",
        summary: "One application for another method, with its decision",
        roles: APPROVAL_READERS,
        body: None,
        status: 200,
    },
    Operation {
        method: "post",
        path: "/method-approvals/{id}/decision",
        summary: "Approve (with the document number) or refuse: a finance department of a city with districts or above",
        roles: FINANCE_REVIEWER,
        body: Some("MethodApprovalDecision"),
        status: 200,
    },
    Operation {
        method: "get",
        path: "/duties",
        summary: "My procurement duties with their statutory deadlines",
        roles: SIGNED_IN,
        body: None,
        status: 200,
    },
    Operation {
        method: "get",
        path: "/overdue",
        summary: "Overdue procurement duties I oversee",
        roles: &["supervisor", "admin", "reviewer"],
        body: None,
        status: 200,
    },
    Operation {
        method: "get",
        path: "/notices",
        summary: "Public procurement notices, newest first, one page (filters: kind, region, year; no sign-in)",
        roles: PUBLIC,
        body: None,
        status: 200,
    },
    Operation {
        method: "get",
        path: "/notices/{id}",
        summary: "One public notice",
        roles: PUBLIC,
        body: None,
        status: 200,
    },
];

fn schemas() -> Value {
    let s = |props: Value, required: &[&str]| json!({"type": "object", "properties": props, "required": required});
    let text = json!({"type": "string"});
    let money =
        json!({"type": "string", "pattern": "^[0-9]+(\\.[0-9]{1,2})?$", "description": "yuan, at most two decimals"});
    let date = json!({"type": "string", "format": "date"});
    let instant = json!({"type": "string", "description": "RFC 3339, or YYYY-MM-DDTHH:MM in China time"});
    json!({
        "Error": s(json!({"code": text, "message": text, "message_en": text, "fields": {"type": "array", "items": {"type": "object"}}}), &["code", "message", "message_en"]),
        "Page": s(json!({"items": {"type": "array", "items": {"type": "object"}}, "next_cursor": {"type": ["string", "null"], "description": "pass as ?cursor= for the next page; null on the last"}}), &["items", "next_cursor"]),
        "Credentials": s(json!({"username": text, "password": text}), &["username", "password"]),
        "PasswordChange": s(json!({"current_password": text, "new_password": text}), &["current_password", "new_password"]),
        "Organisation": s(json!({"key": text, "name": text, "kind": text, "uscc": text, "resident_id": text, "region": text, "parent_id": {"type": "integer"}, "class_one": {"type": "boolean"}, "active": {"type": "boolean"}, "contact": text}), &["key", "name", "kind"]),
        "User": s(json!({"username": text, "display_name": text, "org_id": {"type": "integer"}, "roles": {"type": "array", "items": text}, "supervisor_region": text, "password": text}), &["username", "display_name", "org_id", "roles", "password"]),
        "Design": s(json!({
            "title": text, "category": text, "regions": {"type": "array", "items": text},
            "target_groups": {"type": "array", "items": text}, "mode": {"enum": ["post", "project"]},
            "content": text, "standards": text, "period_start": date, "period_end": date, "continuing": {"type": "boolean"},
            "targets": {"type": "array", "items": s(json!({"indicator": text, "group": {"enum": ["output", "effect", "satisfaction"]}, "target": text, "unit": text}), &["indicator", "group", "target"])},
            "posts": {"type": "array", "items": s(json!({"host_org_id": {"type": "integer"}, "title": text, "count": {"type": "integer", "minimum": 1}}), &["host_org_id", "title", "count"])}
        }), &["title", "category", "regions", "target_groups", "mode", "content", "standards", "period_start", "period_end"]),
        "CostEstimate": s(json!({"lines": {"type": "array", "items": s(json!({"kind": {"enum": ["personnel", "activities", "materials", "training", "management_fee", "other"]}, "item": text, "quantity": money, "unit": text, "unit_price": money}), &["kind", "item", "quantity", "unit_price"])}}), &["lines"]),
        "Review": s(json!({"decision": {"enum": ["approve", "return"]}, "comment": text}), &["decision"]),
        "Award": s(json!({"provider_org_id": {"type": "integer"}, "justification": text}), &["provider_org_id", "justification"]),
        "Contract": s(json!({"amount": money, "start": date, "end": date, "signed_on": date, "milestones": {"type": "array", "items": s(json!({"name": text, "share": money, "due": date}), &["name", "share", "due"])}}), &["amount", "start", "end", "signed_on", "milestones"]),
        "Report": s(json!({"beneficiaries": {"type": "integer", "minimum": 0}, "hours": money, "summary": text, "outputs": {"type": "array", "items": s(json!({"indicator": text, "actual": text}), &["indicator", "actual"])}, "file_ids": {"type": "array", "items": {"type": "integer"}}}), &["beneficiaries", "hours", "summary"]),
        "Decision": s(json!({"decision": {"enum": ["accept", "reject"]}, "reason": text}), &["decision"]),
        "Reason": s(json!({"reason": text}), &["reason"]),
        "Supplement": s(json!({"amount": money, "reason": text, "milestone_name": text, "due": date, "funding": {"type": "array", "items": s(json!({"budget_id": {"type": "integer"}, "amount": money}), &["budget_id", "amount"])}}), &["amount", "reason", "milestone_name", "due", "funding"]),
        "Signing": s(json!({"signed_on": date}), &["signed_on"]),
        "Funding": s(json!({"lines": {"type": "array", "items": s(json!({"budget_id": {"type": "integer"}, "amount": money}), &["budget_id", "amount"])}}), &["lines"]),
        "Budget": s(json!({"year": {"type": "integer"}, "org_id": {"type": "integer"}, "source": {"enum": ["general_budget", "welfare_lottery", "employment_fund", "social_funds", "other"]}, "amount": money, "donor": text, "note": text}), &["year", "org_id", "source", "amount"]),
        "Standard": s(json!({"name": text, "unit": text, "max_unit_price": money, "note": text}), &["name", "unit", "max_unit_price"]),
        "PostHolder": s(json!({"name": text, "certification": {"enum": ["none", "assistant", "intermediate", "senior"]}, "since": date}), &["name", "certification", "since"]),
        "Grant": s(json!({"to_org_id": {"type": "integer"}, "amount": money, "note": text}), &["to_org_id", "amount"]),
        "Token": s(json!({"label": text, "days": {"type": "integer", "minimum": 1, "maximum": 365}}), &["label"]),
        "Procurement": s(json!({
            "method": {"enum": ["open_tender", "invited_tender", "competitive_negotiation", "competitive_consultation", "request_for_quotation", "single_source", "framework_agreement"]},
            "agency_org_id": {"type": "integer"},
            "documents": s(json!({
                "requirements": text, "qualifications": text, "tie_rule": text,
                "sme_deduction_bp": {"type": "integer", "minimum": 1000, "maximum": 2000, "description": "services: 10–20 % (财库〔2022〕19号)"},
                "admitted_kinds": {"type": "array", "items": {"enum": ["social_organisation", "enterprise", "public_institution", "rural_collective", "self_governing_body", "individual"]}, "description": "provider kinds the qualifications admit; empty: any"},
                "complex_or_high_impact": {"type": "boolean", "description": "a tender's committee has at least 7 members"},
                "scoring": {"oneOf": [
                    s(json!({"kind": {"const": "lowest_price"}}), &["kind"]),
                    s(json!({"kind": {"const": "comprehensive"}, "price_weight_bp": {"type": "integer"}, "criteria": {"type": "array", "items": s(json!({"key": text, "name": text, "weight_bp": {"type": "integer"}}), &["key", "name", "weight_bp"])}}), &["kind", "price_weight_bp", "criteria"])
                ]},
                "invited": {"type": "array", "items": {"type": "integer"}},
                "single_source": s(json!({"case": {"enum": ["only_one_supplier", "emergency", "add_on"]}, "provider_org_id": {"type": "integer"}, "provider_name": text, "justification": text}), &["case", "provider_org_id", "provider_name", "justification"]),
                "framework_members": {"type": "integer", "minimum": 2}
            }), &["requirements", "qualifications", "scoring", "sme_deduction_bp", "tie_rule"])
        }), &["method", "documents"]),
        "Deadline": s(json!({"bid_deadline": instant}), &["bid_deadline"]),
        "Text": s(json!({"text": text}), &["text"]),
        "Clarification": s(json!({"text": text, "answers": {"type": "integer"}, "affects_bids": {"type": "boolean"}}), &["text"]),
        "Bid": s(json!({"price": money, "small_or_micro": {"type": "boolean"}, "proposal": text, "file_ids": {"type": "array", "items": {"type": "integer"}}}), &["price", "proposal"]),
        "Opening": s(json!({"attendees": {"type": "array", "items": text, "minItems": 1}}), &["attendees"]),
        "Committee": s(json!({"representatives": {"type": "array", "items": {"type": "integer"}, "description": "user ids of the purchaser's representatives"}}), &[]),
        "Declaration": s(json!({"no_conflict": {"type": "boolean"}}), &["no_conflict"]),
        "Notes": s(json!({"notes": text}), &["notes"]),
        "FinalOffers": s(json!({"deadline": instant}), &["deadline"]),
        "Compliance": s(json!({"bid_id": {"type": "integer"}, "qualified": {"type": "boolean"}, "reason": text}), &["bid_id", "qualified"]),
        "LowPrice": s(json!({"bid_id": {"type": "integer"}, "reason": text, "due": instant}), &["bid_id", "reason", "due"]),
        "LowPriceFinding": s(json!({"justified": {"type": "boolean"}, "reason": text}), &["justified"]),
        "Marks": s(json!({"marks": {"type": "array", "items": s(json!({"bid_id": {"type": "integer"}, "criterion": text, "score": {"type": "string", "pattern": "^[0-9]{1,3}(\\.[0-9]{1,2})?$"}}), &["bid_id", "criterion", "score"])}}), &["marks"]),
        "Winner": s(json!({"bid_id": {"type": "integer"}, "tie_reason": text}), &["bid_id"]),
        "Negotiation": s(json!({"price": money, "minutes": text}), &["price", "minutes"]),
        "Switch": s(json!({"to": text, "reason": text}), &["to", "reason"]),
        "SwitchDecision": s(json!({"approve": {"type": "boolean"}, "document_no": text, "comment": text}), &["approve"]),
        "MethodApproval": s(json!({
            "method": {"enum": ["invited_tender", "competitive_negotiation", "competitive_consultation", "single_source"]},
            "reason": text,
            "consent": s(json!({"unit": text, "document_no": text}), &["unit", "document_no"]),
            "single_source": s(json!({"case": {"enum": ["only_one_supplier", "emergency", "add_on"]}, "provider_org_id": {"type": "integer"}, "provider_name": text, "justification": text}), &["case", "provider_org_id", "provider_name", "justification"])
        }), &["method", "reason", "consent"]),
        "MethodApprovalDecision": s(json!({"approve": {"type": "boolean"}, "document_no": text, "comment": text}), &["approve"]),
        "Challenge": s(json!({"about": {"enum": ["documents", "process", "result"]}, "text": text}), &["about", "text"]),
        "ChallengeReply": s(json!({"text": text, "upheld": {"type": "boolean"}}), &["text", "upheld"]),
        "Pause": s(json!({"from": date, "to": date}), &["from", "to"]),
        "Suspension": s(json!({"until": date}), &["until"]),
        "ComplaintDecision": s(json!({"upheld": {"type": "boolean"}, "consequence": {"enum": ["reprocure", "award_void", "contract_ended"]}, "reasons": text}), &["upheld", "reasons"]),
        "CallOff": s(json!({"org_id": {"type": "integer"}, "amount": money, "note": text}), &["org_id", "amount", "note"]),
        "Registration": s(json!({"name": text, "kind": {"enum": ["social_organisation", "enterprise", "public_institution", "rural_collective", "self_governing_body", "individual"]}, "uscc": text, "resident_id": text, "region": text, "contact": text, "class_one": {"type": "boolean"}, "username": text, "display_name": text, "password": text}), &["name", "kind", "contact", "username", "display_name", "password"]),
        "Expert": s(json!({
            "user_id": {"type": "integer", "description": "an existing user (when adding); or give new_user"},
            "new_user": s(json!({"username": text, "display_name": text, "password": text}), &["username", "display_name", "password"]),
            "categories": {"type": "array", "items": text, "description": "catalogue codes; a code covers those below it"},
            "org_id": {"type": "integer"},
            "former_employers": {"type": "array", "items": s(json!({"org_id": {"type": "integer"}, "until": date}), &["org_id", "until"])},
            "declared_ties": {"type": "array", "items": {"type": "integer"}},
            "active": {"type": "boolean"}
        }), &["categories"]),
        "Ties": s(json!({
            "former_employers": {"type": "array", "items": s(json!({"org_id": {"type": "integer"}, "until": date}), &["org_id", "until"])},
            "declared_ties": {"type": "array", "items": {"type": "integer"}}
        }), &[]),
        "Upload": s(json!({"file": {"type": "string", "contentMediaType": "application/octet-stream"}}), &["file"]),
    })
}

/// Paged lists (`?limit&cursor`, answering `Page`) and their filters: the handlers' own filter lists.
const LISTS: &[(&str, &[&str])] = &[
    ("/projects", &crate::filters::PROJECT_FILTERS),
    ("/notices", &crate::filters::NOTICE_FILTERS),
    ("/queue", &[]),
    ("/procurements", &crate::filters::PROCUREMENT_FILTERS),
    ("/organisations", &crate::filters::ORGANISATION_FILTERS),
    ("/users", &["org", "role"]),
    ("/budgets", &crate::filters::BUDGET_FILTERS),
    ("/budgets/{id}/ledger", &[]),
];

fn query_param(name: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "schema": schema})
}

pub fn document() -> Value {
    let mut paths = Map::new();
    for op in OPERATIONS {
        let mut o = json!({
            "summary": op.summary,
            "x-roles": op.roles,
            "responses": {
                op.status.to_string(): {"description": "success"},
                "4XX": {"description": "refused", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        if !op.roles.contains(&"public") {
            o["security"] = json!([{"bearer": []}]);
        }
        let params: Vec<Value> = ["id", "n", "token_id", "code", "year"]
            .iter()
            .filter(|p| op.path.contains(&format!("{{{p}}}")))
            .map(|p| {
                let schema =
                    if *p == "token_id" { json!({"type": "string"}) } else { json!({"type": "integer", "minimum": 0}) };
                json!({"name": p, "in": "path", "required": true, "schema": schema})
            })
            .collect();
        let mut params = params;
        if let Some((_, filters)) = LISTS.iter().find(|(path, _)| op.method == "get" && *path == op.path) {
            params.push(query_param("limit", json!({"type": "integer", "minimum": 1, "maximum": 200, "default": 50})));
            params.push(query_param("cursor", json!({"type": "string"})));
            params.extend(filters.iter().map(|f| query_param(f, json!({"type": "string"}))));
            o["responses"][op.status.to_string()]["content"] =
                json!({"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}});
        }
        if op.method == "get" && op.path == "/statistics" {
            params.push(query_param("year", json!({"type": "integer"})));
            params.push(query_param("region", json!({"type": "string"})));
        }
        if !params.is_empty() {
            o["parameters"] = json!(params);
        }
        if let Some(body) = op.body {
            let media = if body == "Upload" { "multipart/form-data" } else { "application/json" };
            o["requestBody"] = json!({"required": true, "content": {media: {"schema": {"$ref": format!("#/components/schemas/{body}")}}}});
        }
        let entry = paths.entry(op.path.to_string()).or_insert_with(|| json!({}));
        entry[op.method] = o;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Shanzhi (善治) API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Government purchase of public services: the six-step purchase project and its procurement (methods, sealed bids, committees, scoring, challenges and complaints). Money is yuan as a string with two decimals. Errors are {code, message, message_en}. Any operation may answer 503 with Retry-After: storage_full (writes are refused while the disk is full; reads go on) or database_unavailable."
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "token from POST /session"}}
        }
    })
}

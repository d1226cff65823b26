//! Form plumbing shared by every page: parsing urlencoded bodies (with repeated and indexed rows),
//! turning domain field errors into per-input messages, and the GOV.UK-style field helpers.

use maud::{html, Markup};
use shanzhi_domain::ErrorCode;

use shanzhi_domain::error::Problems;
use shanzhi_domain::project::Project;

use crate::auth::Session;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::AppState;
use shanzhi_app::projects::{self, Command};

/// Rows beyond this are ignored: the domain caps cost lines at 200, and nothing else comes near.
const MAX_ROWS: usize = 300;

/// A submitted (or prefilled) form: name/value pairs in order, so repeated names keep every value.
#[derive(Debug, Default, Clone)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

/// The input name of column `col` in row `i` of a repeated group, e.g. `line_price_2`.
pub fn row_name(prefix: &str, col: &str, i: usize) -> String {
    format!("{prefix}_{col}_{i}")
}

impl Form {
    pub fn parse(body: &[u8]) -> Form {
        Form { pairs: form_urlencoded::parse(body).into_owned().collect() }
    }

    /// The first value of `name`, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// A checkbox: any non-empty value other than an explicit "false" means ticked.
    pub fn flag(&self, name: &str) -> bool {
        !matches!(self.get(name).trim(), "" | "false" | "0" | "no" | "off")
    }

    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.pairs.push((name.into(), value.into()));
    }

    /// Replaces every value of `name` with one.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.pairs.retain(|(k, _)| k != name);
        self.push(name, value);
    }

    /// How many rows of group `prefix` the form holds (highest index + 1).
    pub fn row_count(&self, prefix: &str) -> usize {
        let head = format!("{prefix}_");
        self.pairs
            .iter()
            .filter_map(|(k, _)| k.strip_prefix(&head)?.rsplit_once('_')?.1.parse::<usize>().ok())
            .filter(|i| *i < MAX_ROWS)
            .map(|i| i + 1)
            .max()
            .unwrap_or(0)
    }

    /// Reads the rows of group `prefix` (columns `cols`), drops rows whose `free` columns are all blank,
    /// and renumbers the kept rows from 0 in the form itself, so the domain's `targets[1]` and the
    /// re-rendered row 1 are the same row.
    pub fn take_rows(&mut self, prefix: &str, cols: &[&str], free: &[&str]) -> Vec<Vec<String>> {
        let n = self.row_count(prefix);
        let rows: Vec<Vec<String>> = (0..n)
            .map(|i| cols.iter().map(|c| self.get(&row_name(prefix, c, i)).trim().to_string()).collect::<Vec<_>>())
            .filter(|row| cols.iter().zip(row).any(|(c, v)| free.contains(c) && !v.is_empty()))
            .collect();
        let names: Vec<String> = (0..n).flat_map(|i| cols.iter().map(move |c| row_name(prefix, c, i))).collect();
        self.pairs.retain(|(k, _)| !names.contains(k));
        for (i, row) in rows.iter().enumerate() {
            for (c, v) in cols.iter().zip(row) {
                self.push(row_name(prefix, c, i), v.clone());
            }
        }
        rows
    }
}

/// One problem to show: `key` is what the field helper looks up, `href` where the summary links.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub key: String,
    pub href: Option<String>,
    pub message: String,
}

#[derive(Debug, Default, Clone)]
pub struct Errors {
    pub items: Vec<Problem>,
}

/// Repeated groups: domain name, input prefix, the column a whole-row problem shows beside, and
/// domain sub-field → input column.
type RowGroup = (&'static str, &'static str, &'static str, &'static [(&'static str, &'static str)]);
const ROW_GROUPS: &[RowGroup] = &[
    (
        "cost_lines",
        "line",
        "price",
        &[
            ("kind", "kind"),
            ("item", "item"),
            ("quantity", "qty"),
            ("unit", "unit"),
            ("unit_price", "price"),
            ("standard", "standard"),
            ("reason", "reason"),
        ],
    ),
    (
        "targets",
        "target",
        "indicator",
        &[
            ("indicator", "indicator"),
            // The form chooses the dimension, which implies the group.
            ("group", "dimension"),
            ("dimension", "dimension"),
            ("target", "value"),
            ("unit", "unit"),
            ("weight", "weight"),
            ("rule", "rule"),
        ],
    ),
    ("posts", "post", "title", &[("host_org_id", "host"), ("title", "title"), ("count", "count")]),
    ("milestones", "milestone", "name", &[("name", "name"), ("share", "share"), ("due", "due")]),
    ("outputs", "output", "actual", &[("actual", "actual")]),
    ("funding", "fund", "amount", &[("budget_id", "budget"), ("amount", "amount")]),
];

/// Checkbox and radio groups: errors show at the fieldset and link to the first choice.
const CHOICE_GROUPS: &[&str] = &["regions", "target_groups", "roles", "mode", "decision"];

/// Fields that name no input on any form; they are shown in the summary without a link.
const NOT_INPUTS: &[&str] = &["milestone", "reference"];

/// Maps a domain field path such as `cost_lines[1].unit_price` to (lookup key, input id to link to).
pub fn field_target(field: &str) -> (String, Option<String>) {
    let (head, rest) = match field.split_once('[') {
        Some((h, r)) => (h, Some(r)),
        None => (field, None),
    };
    let index = rest.and_then(|r| r.split_once(']')).and_then(|(i, _)| i.parse::<usize>().ok());
    let sub = rest.and_then(|r| r.split_once("].")).map(|(_, s)| s);
    if let Some((_, prefix, row_col, cols)) = ROW_GROUPS.iter().find(|(name, ..)| *name == head) {
        let col = sub.and_then(|s| cols.iter().find(|(d, _)| *d == s)).map(|(_, c)| *c).unwrap_or(row_col);
        return match index {
            Some(i) => {
                let id = row_name(prefix, col, i);
                (id.clone(), Some(id))
            }
            None => (head.to_string(), Some(row_name(prefix, cols[0].1, 0))),
        };
    }
    if CHOICE_GROUPS.contains(&head) {
        return (head.to_string(), Some(format!("{head}_0")));
    }
    match head {
        "file_ids" => ("file".into(), Some("file".into())),
        h if NOT_INPUTS.contains(&h) => (h.to_string(), None),
        h => (h.to_string(), Some(h.to_string())),
    }
}

/// Domain messages in English start in lower case (they are also used mid-sentence); pages show sentences.
pub fn sentence(lang: Lang, s: &str) -> String {
    let mut chars = s.chars();
    match (lang, chars.next()) {
        (Lang::En, Some(first)) => first.to_uppercase().chain(chars).collect(),
        _ => s.to_string(),
    }
}

impl Errors {
    /// Field errors become per-input problems; any other error becomes one summary line.
    pub fn from_error(lang: Lang, err: &AppError) -> Errors {
        let fields = err.fields();
        if fields.is_empty() {
            let (zh, en) = (err.message_zh(), err.message_en());
            return Errors {
                items: vec![Problem { key: String::new(), href: None, message: sentence(lang, lang.t(&zh, &en)) }],
            };
        }
        let items = fields
            .iter()
            .map(|f| {
                let (key, anchor) = field_target(&f.field);
                Problem {
                    key,
                    href: anchor.map(|a| format!("#{a}")),
                    message: sentence(lang, lang.t(&f.message, &f.message_en)),
                }
            })
            .collect();
        Errors { items }
    }

    pub fn add(&mut self, key: &str, message: &str) {
        self.items.push(Problem { key: key.into(), href: Some(format!("#{key}")), message: message.into() });
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The first message for input `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.items.iter().find(|p| p.key == key).map(|p| p.message.as_str())
    }

    /// Points a domain field at a differently named input (e.g. `reason` → `cancel_reason`).
    pub fn rename(mut self, from: &str, to: &str) -> Errors {
        for p in self.items.iter_mut().filter(|p| p.key == from) {
            p.key = to.into();
            p.href = Some(format!("#{to}"));
        }
        self
    }

    /// Rewrites where the summary links, e.g. to another page that holds the field.
    pub fn relink(mut self, f: impl Fn(&Problem) -> Option<String>) -> Errors {
        for p in self.items.iter_mut() {
            p.href = f(p);
        }
        self
    }
}

/// The hidden anti-forgery field every POST form carries.
pub fn csrf(session: &Session) -> Markup {
    html! { input type="hidden" name="_csrf" value=(session.csrf); }
}

/// GOV.UK error summary: a heading, then each problem linking to its field.
pub fn error_summary(lang: Lang, errors: &Errors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" tabindex="-1" {
                h2 #error-summary-title { (lang.t("出现了问题", "There is a problem")) }
                ul {
                    @for p in &errors.items {
                        li {
                            @match &p.href {
                                Some(href) => a href=(href) { (p.message) },
                                None => (p.message),
                            }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Username,
    Password,
    NewPassword,
    Date,
    /// Whole numbers: a text input with the numeric keypad (GOV.UK advice over `type=number`).
    Integer,
    /// Amounts and quantities with decimals.
    Decimal,
    File,
}

fn described_by(id: &str, hint: Option<&str>, error: Option<&str>) -> Option<String> {
    let mut ids = Vec::new();
    if hint.is_some() {
        ids.push(format!("{id}-hint"));
    }
    if error.is_some() {
        ids.push(format!("{id}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// Label, hint and error around one control, in GOV.UK order.
fn wrap(id: &str, label: &str, hint: Option<&str>, error: Option<&str>, control: Markup) -> Markup {
    html! {
        div.field.field--error[error.is_some()] {
            label for=(id) { (label) }
            @if let Some(h) = hint { span.hint id={(id) "-hint"} { (h) } }
            @if let Some(e) = error { span.error-message id={(id) "-error"} { (e) } }
            (control)
        }
    }
}

pub fn input(kind: Kind, id: &str, label: &str, hint: Option<&str>, value: &str, error: Option<&str>) -> Markup {
    control(kind, true, id, label, hint, value, error)
}

/// An input in a repeated row: it fills its grid column instead of taking a short fixed width.
pub fn cell(kind: Kind, id: &str, label: &str, value: &str, error: Option<&str>) -> Markup {
    control(kind, false, id, label, None, value, error)
}

fn control(
    kind: Kind,
    may_be_short: bool,
    id: &str,
    label: &str,
    hint: Option<&str>,
    value: &str,
    error: Option<&str>,
) -> Markup {
    let (ty, mode, complete, short) = match kind {
        Kind::Text => ("text", None, None, false),
        Kind::Username => ("text", None, Some("username"), false),
        Kind::Password => ("password", None, Some("current-password"), false),
        Kind::NewPassword => ("password", None, Some("new-password"), false),
        Kind::Date => ("date", None, None, true),
        Kind::Integer => ("text", Some("numeric"), None, true),
        Kind::Decimal => ("text", Some("decimal"), None, true),
        Kind::File => ("file", None, None, false),
    };
    // Passwords are never sent back to the browser.
    let value = if matches!(ty, "password" | "file") { "" } else { value };
    let control = html! {
        input.input--short[short && may_be_short] type=(ty) id=(id) name=(id) value=(value) inputmode=[mode]
            autocomplete=[complete] spellcheck=[(ty == "text" && kind != Kind::Text).then_some("false")]
            aria-describedby=[described_by(id, hint, error)];
    };
    wrap(id, label, hint, error, control)
}

pub fn text_field(id: &str, label: &str, hint: Option<&str>, value: &str, error: Option<&str>) -> Markup {
    input(Kind::Text, id, label, hint, value, error)
}

pub fn date_field(id: &str, label: &str, hint: Option<&str>, value: &str, error: Option<&str>) -> Markup {
    input(Kind::Date, id, label, hint, value, error)
}

/// A textarea whose input name may differ from its id (several forms on one page share `reason`).
pub fn textarea(id: &str, name: &str, label: &str, hint: Option<&str>, value: &str, error: Option<&str>) -> Markup {
    let control = html! {
        textarea id=(id) name=(name) rows="5" aria-describedby=[described_by(id, hint, error)] { (value) }
    };
    wrap(id, label, hint, error, control)
}

/// Options of a select, optionally under an `<optgroup>` label.
pub struct OptGroup {
    pub label: Option<String>,
    pub options: Vec<(String, String)>,
}

/// Fixed choices as owned (value, label) pairs.
pub fn options(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect()
}

pub fn plain(options: Vec<(String, String)>) -> Vec<OptGroup> {
    vec![OptGroup { label: None, options }]
}

pub fn select(
    id: &str,
    label: &str,
    hint: Option<&str>,
    groups: &[OptGroup],
    selected: &str,
    error: Option<&str>,
) -> Markup {
    let options = |opts: &[(String, String)]| {
        html! { @for (v, l) in opts { option value=(v) selected[v == selected] { (l) } } }
    };
    let control = html! {
        select id=(id) name=(id) aria-describedby=[described_by(id, hint, error)] {
            @for g in groups {
                @match &g.label {
                    Some(l) => optgroup label=(l) { (options(&g.options)) },
                    None => (options(&g.options)),
                }
            }
        }
    };
    wrap(id, label, hint, error, control)
}

/// A group of checkboxes (`multiple`) or radios in a fieldset; choice ids are `{name}_{i}`.
pub fn choices(
    multiple: bool,
    name: &str,
    legend: &str,
    hint: Option<&str>,
    options: &[(String, String)],
    checked: &[&str],
    error: Option<&str>,
) -> Markup {
    let ty = if multiple { "checkbox" } else { "radio" };
    html! {
        div.field.field--error[error.is_some()] {
            fieldset aria-describedby=[described_by(name, hint, error)] {
                legend { (legend) }
                @if let Some(h) = hint { span.hint id={(name) "-hint"} { (h) } }
                @if let Some(e) = error { span.error-message id={(name) "-error"} { (e) } }
                div class=(if multiple { "checkboxes" } else { "radios" }) {
                    @for (i, (v, l)) in options.iter().enumerate() {
                        div.choice {
                            input type=(ty) id={(name) "_" (i)} name=(name) value=(v) checked[checked.contains(&v.as_str())];
                            label for={(name) "_" (i)} { (l) }
                        }
                    }
                }
            }
        }
    }
}

/// The box an irreversible act (cancel, award, terminate, reject) is confirmed with: the server refuses the
/// act without it (`confirmation_missing`), so it holds without JavaScript and for every way of posting.
pub fn confirm_box(id: &str, label: &str, error: Option<&str>) -> Markup {
    html! {
        div.field.field--error[error.is_some()] {
            @if let Some(e) = error { span.error-message id={(id) "-error"} { (e) } }
            div.choice {
                input type="checkbox" id=(id) name="confirm" value="yes"
                    aria-describedby=[error.map(|_| format!("{id}-error"))];
                label for=(id) { (label) }
            }
        }
    }
}

/// Performs an irreversible act only when the form carries its confirmation; otherwise refuses it with every
/// problem of the form, the missing confirmation first.
pub async fn perform_confirmed(
    state: &AppState,
    session: &Session,
    id: i64,
    cmd: Command,
    form: &Form,
) -> Result<Project, AppError> {
    match confirmation_problem(form) {
        None => Ok(projects::perform(state, &session.actor, id, cmd).await?),
        Some(problems) => Err(projects::refusal(state, &session.actor, id, cmd, problems).await.into()),
    }
}

/// The problem of an irreversible act posted without its confirmation, or none.
pub fn confirmation_problem(form: &Form) -> Option<Problems> {
    (!form.flag("confirm")).then(|| {
        let mut p = Problems::default();
        p.add(
            "confirm",
            ErrorCode::ConfirmationMissing,
            "此操作不能撤回，请勾选确认后再提交",
            "this cannot be undone: tick the box to confirm",
        );
        p
    })
}

/// A single checkbox with its own label (e.g. "continuing service").
pub fn checkbox(name: &str, label: &str, hint: Option<&str>, checked: bool) -> Markup {
    html! {
        div.field {
            div.choice {
                input type="checkbox" id=(name) name=(name) value="yes" checked[checked]
                    aria-describedby=[hint.map(|_| format!("{name}-hint"))];
                label for=(name) { (label) }
            }
            @if let Some(h) = hint { span.hint id={(name) "-hint"} { (h) } }
        }
    }
}

pub fn submit(label: &str) -> Markup {
    html! { button.btn type="submit" { (label) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_domain_fields_to_inputs() {
        let t = |f: &str| field_target(f);
        assert_eq!(t("title"), ("title".into(), Some("title".into())));
        assert_eq!(t("cost_lines[1].unit_price"), ("line_price_1".into(), Some("line_price_1".into())));
        assert_eq!(t("cost_lines[0].quantity").0, "line_qty_0");
        assert_eq!(t("cost_lines[3]").0, "line_price_3");
        assert_eq!(t("cost_lines"), ("cost_lines".into(), Some("line_kind_0".into())));
        assert_eq!(t("targets[0]").0, "target_indicator_0");
        assert_eq!(t("targets[2].group").0, "target_dimension_2");
        assert_eq!(t("targets[1].weight").0, "target_weight_1");
        assert_eq!(t("posts[1].host_org_id").0, "post_host_1");
        assert_eq!(t("posts[1]").0, "post_title_1");
        assert_eq!(t("milestones"), ("milestones".into(), Some("milestone_name_0".into())));
        assert_eq!(t("milestones[0].due").0, "milestone_due_0");
        assert_eq!(t("regions[2]"), ("regions".into(), Some("regions_0".into())));
        assert_eq!(t("file_ids[0]").0, "file");
        assert_eq!(t("milestone"), ("milestone".into(), None));
    }

    #[test]
    fn parses_repeated_and_indexed_fields() {
        let f = Form::parse(b"regions=1&regions=2&title=%E5%96%84+x&continuing=yes&line_item_0=a");
        assert_eq!(f.all("regions"), ["1", "2"]);
        assert_eq!(f.get("title"), "善 x");
        assert_eq!(f.get("missing"), "");
        assert!(f.flag("continuing"));
        assert!(!f.flag("missing"));
        assert_eq!(f.row_count("line"), 1);
    }

    #[test]
    fn blank_rows_are_dropped_and_renumbered() {
        let body = "line_kind_0=personnel&line_item_0=&line_qty_0=&line_kind_1=other&line_item_1=%E5%88%B8&\
                    line_qty_1=2&line_kind_5=training&line_item_5=x&line_qty_5=1&line_items=keep";
        let mut f = Form::parse(body.as_bytes());
        let rows = f.take_rows("line", &["kind", "item", "qty"], &["item", "qty"]);
        assert_eq!(rows, [vec!["other", "券", "2"], vec!["training", "x", "1"]]);
        assert_eq!(f.get("line_item_0"), "券");
        assert_eq!(f.get("line_kind_1"), "training");
        assert_eq!(f.row_count("line"), 2);
        assert_eq!(f.get("line_items"), "keep", "only row fields are renumbered");
    }

    #[test]
    fn errors_map_and_rename() {
        let err =
            AppError::from(shanzhi_domain::DomainError::field("reason", ErrorCode::Required, "请写明原因", "give it"));
        let e = Errors::from_error(Lang::Zh, &err).rename("reason", "cancel_reason");
        assert_eq!(e.get("cancel_reason"), Some("请写明原因"));
        assert_eq!(e.items[0].href.as_deref(), Some("#cancel_reason"));
        let general = Errors::from_error(Lang::En, &AppError::BadCsrf);
        assert_eq!(general.items[0].href, None);
        assert!(general.items[0].message.starts_with("This form has expired"));
    }

    #[test]
    fn passwords_are_not_echoed() {
        let m = input(Kind::Password, "password", "密码", None, "secret-1234", None).into_string();
        assert!(!m.contains("secret-1234"));
        assert!(m.contains(r#"for="password""#));
    }
}

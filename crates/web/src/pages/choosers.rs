//! Choosing an organisation on a form without listing a province's registry: the select offers the
//! organisations of the reader's home place that the form may take (`shanzhi_app::directory::choices`), and a
//! field beside it takes any other by its unified social credit code, looked up by its unique index.

use maud::{html, Markup};
use shanzhi_app::directory::{self, Offer};
use shanzhi_domain::org::{Actor, Organisation};
use shanzhi_domain::{DomainError, ErrorCode};

use super::forms::{self, plain, Errors, Form};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::AppState;

/// The name of the credit-code field beside the select `id`.
pub fn code_field(id: &str) -> String {
    format!("{id}_uscc")
}

/// What `actor`'s form offers for `offer`, keeping the organisations the form names in `fields` (its current
/// values, which may lie outside the home place).
pub async fn offered(
    state: &AppState,
    actor: &Actor,
    offer: Offer,
    form: &Form,
    fields: &[&str],
) -> AppResult<Vec<Organisation>> {
    let keep: Vec<i64> = fields.iter().flat_map(|f| form.all(f)).filter_map(|v| v.parse().ok()).collect();
    Ok(directory::choices(state, actor, offer, &keep).await?)
}

/// A select over `offered` (labelled by `label_of`) with `prompt` as its empty choice, and the credit-code field
/// for an organisation not listed.
#[allow(clippy::too_many_arguments)]
pub fn organisation(
    lang: Lang,
    id: &str,
    label: &str,
    hint: Option<&str>,
    prompt: &str,
    offered: &[Organisation],
    label_of: impl Fn(&Organisation) -> String,
    form: &Form,
    errors: &Errors,
) -> Markup {
    let mut options = vec![(String::new(), prompt.to_string())];
    options.extend(offered.iter().map(|o| (o.id.to_string(), label_of(o))));
    let code = code_field(id);
    html! {
        (forms::select(id, label, hint, &plain(options), form.get(id), errors.get(id)))
        (forms::text_field(
            &code,
            lang.t("或填写统一社会信用代码", "Or give its unified social credit code"),
            Some(lang.t(
                "上面只列出本地的单位；其他单位（例如外县的）请填写其 18 位统一社会信用代码。",
                "Only local organisations are listed above; for any other (e.g. from another county) give its 18-character code.",
            )),
            form.get(&code),
            errors.get(&code),
        ))
    }
}

/// For each select in `ids` left empty whose credit-code field is filled in, chooses the organisation with that
/// code; a code that names none is refused on its own field (`unknown_organisation`), before anything is written.
pub async fn take_codes(state: &AppState, form: &mut Form, ids: &[&str]) -> AppResult<()> {
    for id in ids {
        let code = form.get(&code_field(id)).trim().to_string();
        if code.is_empty() {
            continue;
        }
        if !form.get(id).trim().is_empty() {
            // Which one was meant cannot be told: an irreversible act (an award) must not guess.
            return Err(AppError::from(shanzhi_app::Error::Domain(DomainError::field(
                &code_field(id),
                ErrorCode::AmbiguousChoice,
                "请在列表中选择或填写统一社会信用代码，二者只填其一",
                "choose from the list or give a credit code, not both",
            ))));
        }
        match directory::organisation_by_uscc(state, &code).await? {
            // Chosen now: the form shown again (after another field's error) has it selected and no code, so
            // sending it again is not a choice made twice.
            Some(o) => {
                form.set(id, o.id.to_string());
                form.set(&code_field(id), "");
            }
            None => return Err(unknown_code(&code_field(id), &code)),
        }
    }
    Ok(())
}

/// Adds to the choices `id` (checkboxes) the organisations whose credit codes `{id}_uscc` lists, separated by
/// blanks or commas; a code that names none is refused on the codes' field, before anything is written.
pub async fn take_code_list(state: &AppState, form: &mut Form, id: &str) -> AppResult<()> {
    let field = code_field(id);
    let codes: Vec<String> = form
        .get(&field)
        .split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、')
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect();
    for code in codes {
        match directory::organisation_by_uscc(state, &code).await? {
            Some(o) if form.all(id).contains(&o.id.to_string().as_str()) => {}
            Some(o) => form.push(id, o.id.to_string()),
            None => return Err(unknown_code(&field, &code)),
        }
    }
    form.set(&field, "");
    Ok(())
}

fn unknown_code(field: &str, code: &str) -> AppError {
    AppError::from(shanzhi_app::Error::Domain(DomainError::field(
        field,
        ErrorCode::UnknownOrganisation,
        &format!("没有统一社会信用代码为“{code}”的单位"),
        &format!("no organisation has the unified social credit code “{code}”"),
    )))
}
